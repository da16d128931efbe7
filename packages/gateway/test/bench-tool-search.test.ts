/**
 * The tool-search benchmark's query set against its committed catalog snapshot
 * (bench/tool-search/): every question names a tool that exists, the set is large and spread
 * over every server, and no question was written by copying its tool's description — it shares
 * no run of four or more words with it, nor spells out the tool's own name. The benchmark itself
 * runs here index-only (no registry servers): it must finish and print its targets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';
import {
  type CatalogSnapshot,
  readQueries,
  readSnapshot,
  snapshotDifferences,
  type ToolQuery,
} from '../../../bench/lib/tool-search-catalog.ts';

const PHRASE_WORDS = 4;

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** Every run of `n` consecutive words of `text`, joined by spaces. */
function phrases(text: string, n: number): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
  return out;
}

/** The first run of PHRASE_WORDS words the query shares with the description, if any. */
export function sharedPhrase(query: string, description: string): string | undefined {
  const inDescription = phrases(description, PHRASE_WORDS);
  return [...phrases(query, PHRASE_WORDS)].find((p) => inDescription.has(p));
}

describe('tool-search query set', () => {
  const snapshot = readSnapshot();
  const queries = readQueries();
  const byName = new Map(snapshot.tools.map((t) => [t.name, t]));

  it('has at least 200 questions, each naming a tool of the snapshot', () => {
    assert.ok(queries.length >= 200, `${queries.length} queries`);
    const unknown = queries.filter((q) => !byName.has(q.tool)).map((q) => `${q.tool} ← "${q.query}"`);
    assert.deepEqual(unknown, []);
  });

  it('asks about every server of the catalog, the demo servers included', () => {
    const asked = new Set(queries.map((q) => byName.get(q.tool)?.server));
    const missing = snapshot.servers.filter((s) => !asked.has(s.name)).map((s) => s.name);
    assert.deepEqual(missing, []);
    assert.ok(snapshot.servers.length >= 15, `${snapshot.servers.length} servers`);
  });

  it('shares no run of four words with the description or title of its tool', () => {
    const copied = queries
      .map((q: ToolQuery) => {
        const tool = byName.get(q.tool);
        const phrase =
          sharedPhrase(q.query, tool?.description ?? '') ?? sharedPhrase(q.query, tool?.title ?? '');
        return { q, phrase };
      })
      .filter((x) => x.phrase !== undefined)
      .map((x) => `${x.q.tool}: "${x.q.query}" shares "${x.phrase}"`);
    assert.deepEqual(copied, []);
  });

  it('never spells out the tool name itself', () => {
    const spelled = queries
      .filter((q) => {
        const own = q.tool.slice((byName.get(q.tool)?.server.length ?? 0) + 1).toLowerCase();
        return words(own).length > 1 && q.query.toLowerCase().includes(own);
      })
      .map((q) => `${q.tool}: "${q.query}"`);
    assert.deepEqual(spelled, []);
  });

  it('has no question twice', () => {
    const seen = new Set<string>();
    const twice = queries
      .filter((q) => seen.size === seen.add(q.query.toLowerCase()).size)
      .map((q) => q.query);
    assert.deepEqual(twice, []);
  });

  it('catches a copied phrase (the check can fail)', () => {
    assert.equal(
      sharedPhrase(
        'please Create a new issue in a GitHub repository now',
        'Create a new issue in a GitHub repository',
      ),
      'create a new issue',
    );
    assert.equal(
      sharedPhrase('file a bug report on GitHub', 'Create a new issue in a GitHub repository'),
      undefined,
    );
  });
});

describe('tool-search catalog check', () => {
  const committed = readSnapshot();
  const copy = (): CatalogSnapshot => structuredClone(committed);

  it('finds no difference between the snapshot and itself', () => {
    assert.deepEqual(snapshotDifferences(committed, copy()), []);
  });

  it('names the server and its pinned version when its tool list changed', () => {
    const live = copy();
    const github = live.tools.filter((t) => t.server === 'github');
    const [first, second] = github;
    assert.ok(first && second);
    live.tools = live.tools.filter((t) => t !== first);
    second.description = `${second.description} (changed)`;
    live.tools.push({ ...second, name: 'github_brand_new_tool' });
    const pinned = committed.servers.find((s) => s.name === 'github');
    assert.deepEqual(snapshotDifferences(committed, live), [
      `${pinned?.package}@${pinned?.version}: tool list changed under the pinned version — added github_brand_new_tool; removed ${first.name}; definition changed: ${second.name}`,
    ]);
  });

  it('asks for a new snapshot when a pin moved, and notices a server gone', () => {
    const live = copy();
    const slack = live.servers.find((s) => s.name === 'slack');
    assert.ok(slack);
    slack.version = '9.9.9';
    live.servers = live.servers.filter((s) => s.name !== 'brave');
    const differences = snapshotDifferences(committed, live);
    assert.equal(differences.length, 2, differences.join('\n'));
    assert.match(
      differences[0] ?? '',
      /^@modelcontextprotocol\/server-slack@.*: pinned at 9\.9\.9 now; refresh the snapshot/,
    );
    assert.match(
      differences[1] ?? '',
      /^@modelcontextprotocol\/server-brave-search@.*: not in this run's catalog$/,
    );
  });
});

describe('tool-search bench', () => {
  it('runs index-only over the committed snapshot and prints its targets', async () => {
    const { code, out } = await runScript(['bench/tool-search.ts', '--index-only', '--smoke']);
    assert.equal(code, 0, out);
    assert.match(out, /top-5 recall/);
    assert.match(out, /recall@5/);
  });
});
