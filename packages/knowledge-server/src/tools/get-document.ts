/**
 * `get_document`: one document, or one section of it by heading, with its line range — how a
 * model follows a citation from `search_docs`.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { type ParsedDocument, parseMarkdown } from '../ingest/markdown.ts';
import { findSection, outline } from '../sections.ts';
import type { KnowledgeService } from '../service.ts';
import type { StoredDocument } from '../store/knowledge-store.ts';
import { KIND } from './search-docs.ts';

/** Longest content returned in one call; longer sections are cut with `truncated: true`. */
const MAX_CONTENT_CHARS = 40_000;

const GetDocumentOutput = z.object({
  document: z.string(),
  title: z.string(),
  kind: KIND,
  heading: z.string().describe('Heading path of the section returned (the title for a whole document)'),
  lines: z.string().describe('Line range of `content` in the document, e.g. "L12-L40"'),
  startLine: z.number().int(),
  endLine: z.number().int(),
  content: z.string().describe('The Markdown of those lines, verbatim'),
  truncated: z.boolean(),
  sections: z
    .array(z.object({ heading: z.string(), lines: z.string() }))
    .optional()
    .describe('Outline of the document (when no heading was asked for)'),
});

/** Up to `limit` indexed paths that look like `wanted` (same file name or a shared word). */
export function similarPaths(paths: readonly string[], wanted: string, limit = 5): string[] {
  const base = wanted.toLowerCase().split('/').at(-1)?.replace(/\.md$/, '') ?? '';
  const words = base.split(/[^a-z0-9]+/).filter((w) => w.length > 2);
  return paths.filter((p) => words.some((w) => p.toLowerCase().includes(w))).slice(0, limit);
}

function findDocument(service: KnowledgeService, path: string): StoredDocument {
  const wanted = path
    .trim()
    .replace(/^doc:\/\//, '')
    .replace(/^\/+/, '');
  const doc = service.store.getDocument(wanted);
  if (doc) return doc;
  const similar = similarPaths(
    service.store.listDocuments().map((d) => d.path),
    wanted,
  );
  throw new ToolError(
    'not_found',
    `No document at "${wanted}".${similar.length ? ` Similar: ${similar.join(', ')}.` : ''} Use search_docs to find documents.`,
    { path: wanted, similar },
  );
}

function sectionRange(
  parsed: ParsedDocument,
  path: string,
  heading: string,
): { start: number; end: number; heading: string } {
  const section = findSection(parsed, heading);
  if (section) return { start: section.startLine, end: section.endLine, heading: section.path.join(' > ') };
  const headings = outline(parsed)
    .map((s) => s.heading)
    .slice(0, 40);
  throw new ToolError(
    'not_found',
    `"${path}" has no heading "${heading}". Its headings: ${headings.join(' | ')}`,
    {
      path,
      heading,
      headings,
    },
  );
}

/** The last line to return: trailing blank lines dropped, cut to whole lines under the size cap. */
function fitLines(
  lines: readonly string[],
  start: number,
  last: number,
): { end: number; truncated: boolean } {
  let end = last;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end -= 1;
  let size = 0;
  for (let n = start; n <= end; n++) {
    size += (lines[n - 1] ?? '').length + 1;
    if (size > MAX_CONTENT_CHARS && n > start) return { end: n - 1, truncated: true };
  }
  return { end, truncated: false };
}

export function getDocumentTool(service: KnowledgeService) {
  return defineTool({
    name: 'get_document',
    title: 'Read a document or one of its sections',
    description:
      'Returns a knowledge-base document (runbook, ADR or doc) by path — or only the section under one heading, subsections included — with the exact line range, so a citation from search_docs can be followed and quoted. Pass the `document` and `heading` of a search result. Without a heading it returns the whole document plus its outline.',
    input: z.object({
      path: z
        .string()
        .min(1)
        .max(500)
        .describe('Document path as cited, e.g. runbooks/ledger-db-failover.md'),
      heading: z
        .string()
        .max(500)
        .optional()
        .describe('Heading text or cited heading path, e.g. "Unplanned failover"'),
    }),
    output: GetDocumentOutput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async handler({ path, heading }) {
      await service.ready();
      const doc = findDocument(service, path);
      const parsed = parseMarkdown(doc.path, doc.content);
      const whole = heading === undefined || heading.trim() === '';
      const range = whole
        ? { start: 1, end: parsed.lines.length, heading: doc.title }
        : sectionRange(parsed, doc.path, heading);
      const { end, truncated } = fitLines(parsed.lines, range.start, range.end);
      return {
        document: doc.path,
        title: doc.title,
        kind: doc.kind,
        heading: range.heading,
        lines: `L${range.start}-L${end}`,
        startLine: range.start,
        endLine: end,
        content: parsed.lines.slice(range.start - 1, end).join('\n'),
        truncated,
        ...(whole ? { sections: outline(parsed) } : {}),
      };
    },
    text(output) {
      const numbered = output.content
        .split('\n')
        .map((line, i) => `${output.startLine + i}| ${line}`)
        .join('\n');
      const cut = output.truncated ? '\n[truncated: ask for a narrower heading]' : '';
      return `${output.document} ${output.lines} — ${output.heading}\n${numbered}${cut}`;
    },
  });
}
