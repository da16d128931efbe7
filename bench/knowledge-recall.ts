/**
 * Retrieval quality of the knowledge server on its held-out question set
 * (packages/knowledge-server/eval/questions.json, see the README there). The bundled corpus is
 * ingested into a temporary SQLite index through the `ingest_docs` tool, then every question is
 * asked through `search_docs` (default limit 5) with the kit's in-process test client — the same
 * path a model's call takes, minus the transport.
 *
 * Per question the passages are mapped to their documents (first appearance keeps the order):
 *   recall@1   the first document is relevant
 *   recall@5   a relevant document is among the documents of the top-5 passages
 *   MRR        mean of 1/rank of the first relevant document (0 when none is in the top 5)
 *   strict@5   share of a question's relevant documents found in the top 5
 *   section@5  a top-5 passage of the primary document sits under the question's `heading`
 * reported overall, per category (top folder of the primary document), and for the questions
 * marked hard, followed by the misses (question → expected vs got).
 *
 * The set is held out: it measures the ranker, it is not used to tune it. Search runs BM25 unless
 * EMBEDDINGS_BASE_URL / EMBEDDINGS_MODEL (/ EMBEDDINGS_API_KEY) are set, then hybrid.
 *
 *   node bench/knowledge-recall.ts [--smoke] [--limit 5] [--questions <file>] [--json FILE]
 *   --smoke   the first 10 questions only
 *   --json    also write the figures as a BenchResult (bench/lib/results.ts)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@gatehouse/kit';
import { testClient } from '@gatehouse/kit/testing';
import * as z from 'zod';
import {
  BUNDLED_CORPUS,
  configFromEnv,
  createKnowledgeServer,
} from '../packages/knowledge-server/src/index.ts';
import { positiveInt } from './lib/figures.ts';
import { type BenchResult, commandLine, type ResultTable, writeResult } from './lib/results.ts';

const Questions = z.array(
  z.object({
    id: z.string(),
    question: z.string().min(1),
    relevant: z.array(z.string()).min(1),
    heading: z.string().optional(),
    difficulty: z.string().optional(),
  }),
);
type Question = z.infer<typeof Questions>[number];

interface Passage {
  document: string;
  heading: string;
}

interface Outcome {
  question: Question;
  documents: string[];
  rank: number | undefined;
  strict: number;
  section: boolean;
}

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
    limit: { type: 'string', default: '5' },
    questions: {
      type: 'string',
      default: new URL('../packages/knowledge-server/eval/questions.json', import.meta.url).pathname,
    },
  },
});
const limit = positiveInt(String(values.limit), 'limit');
const all = Questions.parse(JSON.parse(readFileSync(String(values.questions), 'utf8')));
const questions = values.smoke ? all.slice(0, 10) : all;

function normaliseHeading(text: string): string {
  return text.replace(/[`*]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

function categoryOf(q: Question): string {
  return q.relevant[0]?.split('/')[0] ?? 'other';
}

function score(q: Question, passages: Passage[]): Outcome {
  const documents = [...new Set(passages.map((p) => p.document))].slice(0, 5);
  const index = documents.findIndex((d) => q.relevant.includes(d));
  const found = q.relevant.filter((r) => documents.includes(r)).length;
  const wanted = q.heading === undefined ? undefined : normaliseHeading(q.heading);
  const section =
    wanted !== undefined &&
    passages.some(
      (p) =>
        p.document === q.relevant[0] &&
        p.heading
          .split(' > ')
          .slice(1)
          .some((h) => normaliseHeading(h) === wanted),
    );
  return {
    question: q,
    documents,
    rank: index < 0 ? undefined : index + 1,
    strict: found / q.relevant.length,
    section,
  };
}

interface Metrics {
  n: number;
  at1: number;
  at5: number;
  mrr: number;
  strict: number;
  withHeading: number;
  sections: number;
}

function metrics(outcomes: Outcome[]): Metrics {
  const n = outcomes.length;
  const withHeading = outcomes.filter((o) => o.question.heading !== undefined);
  return {
    n,
    at1: outcomes.filter((o) => o.rank === 1).length,
    at5: outcomes.filter((o) => o.rank !== undefined).length,
    mrr: outcomes.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / n,
    strict: outcomes.reduce((sum, o) => sum + o.strict, 0) / n,
    withHeading: withHeading.length,
    sections: withHeading.filter((o) => o.section).length,
  };
}

function figures(outcomes: Outcome[]): string {
  const n = outcomes.length;
  if (n === 0) return '(no questions)';
  const { at1, at5, mrr, strict, withHeading, sections } = metrics(outcomes);
  const f = (x: number) => x.toFixed(3);
  return [
    `recall@1 ${f(at1 / n)} (${at1}/${n})`,
    `recall@5 ${f(at5 / n)} (${at5}/${n})`,
    `MRR ${f(mrr)}`,
    `strict@5 ${f(strict)}`,
    `section@5 ${withHeading ? f(sections / withHeading) : '–'} (${sections}/${withHeading})`,
  ].join('  ');
}

/** One row per subset (overall, categories, hard): the same figures as printed. */
function recallTable(subsets: [string, Outcome[]][]): ResultTable {
  const f = (x: number) => x.toFixed(3);
  return {
    title: 'Retrieval quality',
    columns: ['questions', 'n', 'recall@1', 'recall@5', 'MRR', 'strict@5', 'section@5'],
    rows: subsets
      .filter(([, outcomes]) => outcomes.length > 0)
      .map(([name, outcomes]) => {
        const m = metrics(outcomes);
        return [
          name,
          String(m.n),
          `${f(m.at1 / m.n)} (${m.at1}/${m.n})`,
          `${f(m.at5 / m.n)} (${m.at5}/${m.n})`,
          f(m.mrr),
          f(m.strict),
          m.withHeading ? `${f(m.sections / m.withHeading)} (${m.sections}/${m.withHeading})` : '–',
        ];
      }),
    caption:
      'recall@k: a relevant document among the top k; MRR: mean 1/rank of the first relevant document; ' +
      'strict@5: share of relevant documents found; section@5: the expected section among the passages.',
  };
}

function benchResult(subsets: [string, Outcome[]][], method: string, notes: string[]): BenchResult {
  const measured = subsets.filter(([, outcomes]) => outcomes.length > 0);
  return {
    bench: 'knowledge-recall',
    title: 'Knowledge search: recall on the held-out questions',
    command: commandLine(),
    startedAt,
    durationMs: performance.now() - startedClock,
    tables: [recallTable(subsets)],
    charts: [
      {
        id: 'recall',
        title: 'search_docs recall@1, recall@5 and MRR',
        unit: 'share of questions (MRR: mean reciprocal rank)',
        series: measured.flatMap(([name, outcomes]) => {
          const m = metrics(outcomes);
          const group = `${name} (${m.n} question${m.n === 1 ? '' : 's'})`;
          return [
            { label: 'recall@1', value: m.at1 / m.n, group },
            { label: 'recall@5', value: m.at5 / m.n, group },
            { label: 'MRR', value: m.mrr, group },
          ];
        }),
      },
    ],
    targets: [],
    notes: [method, ...notes],
  };
}

const startedAt = new Date().toISOString();
const startedClock = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'knowledge-recall-'));
const config = { ...configFromEnv(), docsDir: BUNDLED_CORPUS, dbPath: join(dir, 'knowledge.db') };
const server = createKnowledgeServer(config, { log: createLogger('knowledge', 'silent') });
const client = await testClient(server);
try {
  const started = performance.now();
  const ingest = await client.call('ingest_docs', {});
  if (ingest.isError) throw new Error(`ingest failed: ${ingest.text}`);
  const totals = ingest.structured?.totals as { documents: number; passages: number; embedded: number };
  const method =
    `knowledge recall: ${totals.documents} documents, ${totals.passages} passages${config.embeddings ? `, ${totals.embedded} embedded (model ${config.embeddings.model})` : ''}; ` +
    `${questions.length} of ${all.length} held-out questions; search_docs limit ${limit}; ` +
    `mode ${config.embeddings ? 'hybrid (BM25 + vectors, RRF)' : 'BM25'}; indexed in ${Math.round(performance.now() - started)} ms`;
  console.log(method);

  const outcomes: Outcome[] = [];
  const notes = new Set<string>();
  const searchStarted = performance.now();
  for (const q of questions) {
    const out = await client.call('search_docs', { query: q.question, limit });
    if (out.isError) throw new Error(`search_docs failed for ${q.id}: ${out.text}`);
    const note = out.structured?.note;
    if (typeof note === 'string') notes.add(note);
    outcomes.push(score(q, (out.structured?.results ?? []) as Passage[]));
  }
  const perQueryMs = (performance.now() - searchStarted) / Math.max(1, questions.length);

  const subsets: [string, Outcome[]][] = [['overall', outcomes]];
  console.log(`overall      ${figures(outcomes)}`);
  for (const category of ['runbooks', 'adr', 'docs']) {
    const subset = outcomes.filter((o) => categoryOf(o.question) === category);
    console.log(`${category.padEnd(12)} ${figures(subset)}`);
    subsets.push([category, subset]);
  }
  const hard = outcomes.filter((o) => o.question.difficulty === 'hard');
  if (hard.length) console.log(`hard         ${figures(hard)}`);
  subsets.push(['hard', hard]);
  console.log(`search time  ${perQueryMs.toFixed(1)} ms per question (in process, this machine)`);
  for (const note of notes) console.log(`note: ${note}`);

  const misses = outcomes.filter((o) => o.rank === undefined);
  console.log(`\nmisses (${misses.length}):`);
  for (const miss of misses) {
    console.log(`  ${miss.question.id}: ${miss.question.question}`);
    console.log(`      expected ${miss.question.relevant.join(', ')}`);
    console.log(`      got      ${miss.documents.join(', ') || '(nothing)'}`);
  }
  writeResult(
    values.json,
    benchResult(subsets, method.replace(/^knowledge recall: /, ''), [
      `Search time: ${perQueryMs.toFixed(1)} ms per question (in process, this machine).`,
      ...[...notes].map((n) => `search_docs note: ${n}`),
      `Misses (no relevant document in the top 5): ${misses.map((m) => m.question.id).join(', ') || 'none'}.`,
    ]),
  );
} finally {
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
