/**
 * Documents as MCP resources: the template `doc://{+path}` (reserved expansion, since a path has
 * slashes: `doc://runbooks/ledger-db-failover.md`). Listing names every indexed document; reading
 * returns its Markdown as indexed (text/markdown), so line numbers match the citations; the path
 * variable completes from a prefix.
 */
import { defineResourceTemplate } from '@gatehouse/kit';
import { ResourceNotFoundError } from '@modelcontextprotocol/server';
import type { KnowledgeService } from './service.ts';

export const DOC_SCHEME = 'doc://';

export function docUri(path: string): string {
  return `${DOC_SCHEME}${path}`;
}

const MAX_COMPLETIONS = 100;

export function documentTemplate(service: KnowledgeService) {
  return defineResourceTemplate({
    name: 'document',
    uriTemplate: 'doc://{+path}',
    title: 'Knowledge-base document',
    description: 'A runbook, architecture decision record or doc, as Markdown. Path as cited by search_docs.',
    mimeType: 'text/markdown',
    async list() {
      await service.ready();
      return service.store.listDocuments().map((d) => ({
        uri: docUri(d.path),
        name: d.path,
        description: `${d.title} (${d.kind})`,
      }));
    },
    complete: {
      async path(prefix) {
        await service.ready();
        const wanted = prefix.toLowerCase();
        const paths = service.store.listDocuments().map((d) => d.path);
        const starts = paths.filter((p) => p.toLowerCase().startsWith(wanted));
        const contains = paths.filter((p) => !starts.includes(p) && p.toLowerCase().includes(wanted));
        return [...starts, ...contains].slice(0, MAX_COMPLETIONS);
      },
    },
    async read(uri, variables) {
      await service.ready();
      const raw = variables.path ?? '';
      let path = raw;
      try {
        path = decodeURIComponent(raw);
      } catch {
        // keep the raw text; it will not be found
      }
      const doc = service.store.getDocument(path);
      if (!doc) throw new ResourceNotFoundError(uri.href, `No document at ${uri.href}`);
      return { contents: [{ uri: docUri(doc.path), mimeType: 'text/markdown', text: doc.content }] };
    },
  });
}
