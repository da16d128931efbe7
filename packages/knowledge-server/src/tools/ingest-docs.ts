/**
 * `ingest_docs`: re-indexes the documents folder (or a file or folder inside it) incrementally,
 * reporting progress per document. An administrative tool: give it to operators, not to every
 * role (the gateway's policy decides).
 */
import { defineTool } from '@gatehouse/kit';
import * as z from 'zod';
import { KnowledgeService } from '../service.ts';

const IngestOutput = z.object({
  scope: z.string(),
  scanned: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  removed: z.number().int(),
  changed: z.array(z.string()).describe('"added: <path>", "updated: <path>", "removed: <path>" (first 50)'),
  embedded: z.number().int().describe('Passages embedded in this run'),
  note: z.string().optional(),
  totals: z.object({ documents: z.number().int(), passages: z.number().int(), embedded: z.number().int() }),
});

export function ingestDocsTool(service: KnowledgeService) {
  return defineTool({
    name: 'ingest_docs',
    title: 'Re-index the knowledge base (admin)',
    description:
      'Administrative: re-indexes the Markdown documents folder so search reflects edits — new and changed files are indexed, unchanged files skipped, deleted files removed from the index. Optionally limited to one file or folder inside the documents folder (e.g. "runbooks"). Reports progress per document. Not needed before searching: the index is refreshed at startup.',
    input: z.object({
      path: z
        .string()
        .max(500)
        .optional()
        .describe('A file or folder relative to the documents folder (default: all of it)'),
    }),
    output: IngestOutput,
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: service.embedder !== undefined,
    },
    async handler({ path }, ctx) {
      await service.start();
      try {
        return await service.ingest({
          ...(path === undefined ? {} : { scope: path }),
          signal: ctx.signal,
          onProgress: (done, total, message) => ctx.progress(done, total, message),
        });
      } catch (error) {
        throw KnowledgeService.toolErrorOf(error);
      }
    },
    text(output) {
      const changes = output.changed.length ? `\n${output.changed.join('\n')}` : '';
      const note = output.note ? `\nNote: ${output.note}` : '';
      return `Indexed ${output.scope}: ${output.added} added, ${output.updated} updated, ${output.removed} removed, ${output.unchanged} unchanged; index holds ${output.totals.documents} documents, ${output.totals.passages} passages (${output.totals.embedded} embedded).${changes}${note}`;
    },
  });
}
