/**
 * `search_docs`: passage search over runbooks, ADRs and docs, each result with its citation.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { QueryError, searchPassages } from '../search/search.ts';
import type { KnowledgeService } from '../service.ts';

export const KIND = z.enum(['runbook', 'adr', 'doc']);

const Passage = z.object({
  document: z.string().describe('Document path, e.g. runbooks/ledger-db-failover.md (resource doc://<path>)'),
  title: z.string(),
  kind: KIND,
  heading: z.string().describe('Heading path of the passage: "Title > Section > Subsection"'),
  lines: z.string().describe('Cited line range in the document, e.g. "L12-L40"'),
  score: z.number().describe('Relevance; higher is better (BM25, or reciprocal rank fusion when hybrid)'),
  snippet: z.string().describe('The matching words in context, matches in **bold**'),
});

export const SearchOutput = z.object({
  query: z.string(),
  mode: z.enum(['bm25', 'hybrid']).describe('bm25: full-text only; hybrid: full-text fused with embeddings'),
  note: z.string().optional().describe('Why the answer is degraded (e.g. the embedding provider is down)'),
  results: z.array(Passage),
});

function citation(p: z.output<typeof Passage>): string {
  return `${p.document} ${p.lines}`;
}

export function searchDocsTool(service: KnowledgeService) {
  return defineTool({
    name: 'search_docs',
    title: 'Search runbooks, ADRs and docs',
    description:
      "Searches Northwind's internal knowledge base — operational runbooks, architecture decision records (ADRs) and engineering docs — and returns the best matching passages, each with its citation (document path + line range) and heading. Use it before answering how-to, incident or why-did-we-decide questions, and cite the passages you use. Ask with the topic's key terms. To read more around a hit, call get_document with the document and the passage's heading.",
    input: z.object({
      query: z.string().min(1).max(20_000).describe('What to look for, in words (e.g. "ledger-db failover")'),
      limit: z.number().int().min(1).max(20).default(5).describe('Passages to return (1–20, default 5)'),
      kind: KIND.optional().describe('Only this kind of document: runbook, adr or doc'),
    }),
    output: SearchOutput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: service.embedder !== undefined },
    async handler({ query, limit, kind }, ctx) {
      await service.ready();
      try {
        const answer = await searchPassages(
          service.store,
          { query, limit, kind },
          service.embedder,
          ctx.signal,
        );
        if (answer.note) ctx.log.warn({ note: answer.note }, 'search degraded');
        return { query: query.length > 200 ? `${query.slice(0, 200)}…` : query, ...answer };
      } catch (error) {
        if (error instanceof QueryError) throw new ToolError('invalid_query', error.message);
        throw error;
      }
    },
    text(output) {
      const head = output.note ? `Note: ${output.note}\n` : '';
      if (output.results.length === 0) return `${head}No passage matches "${output.query}".`;
      return (
        head +
        output.results
          .map((p, i) => `[${i + 1}] ${p.heading} — ${citation(p)} (score ${p.score})\n    ${p.snippet}`)
          .join('\n')
      );
    },
  });
}
