/**
 * `createKnowledgeServer`: the knowledge domain server — search with citations, documents by
 * path and heading, re-indexing, and documents as resources — over one SQLite index that is
 * brought up to date at startup.
 */
import { createLogger, type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import { sqliteCheck } from '@gatehouse/kit/infra';
import type { KnowledgeConfig } from './config.ts';
import { documentTemplate } from './resources.ts';
import { KnowledgeService } from './service.ts';
import { getDocumentTool } from './tools/get-document.ts';
import { ingestDocsTool } from './tools/ingest-docs.ts';
import { searchDocsTool } from './tools/search-docs.ts';

export const SERVER_NAME = 'knowledge';
export const SERVER_VERSION = '0.1.0';

export interface KnowledgeServerOptions {
  log?: Logger;
  /** Injected into the embedding client (tests). */
  fetch?: typeof fetch;
}

export interface KnowledgeServer extends DomainServer {
  readonly service: KnowledgeService;
}

export function createKnowledgeServer(
  config: KnowledgeConfig,
  options: KnowledgeServerOptions = {},
): KnowledgeServer {
  const log = options.log ?? createLogger(SERVER_NAME);
  const service = new KnowledgeService(config, log, options.fetch);
  void service.start();
  const server = defineServer(
    {
      name: SERVER_NAME,
      version: SERVER_VERSION,
      instructions:
        "Northwind Outfitters' knowledge base: operational runbooks, architecture decision records and engineering docs. Use search_docs to find passages (each cites a document and line range), get_document to read a section, and cite what you use as <document> L<start>-L<end>. Documents are also resources at doc://<path>.",
      tools: [searchDocsTool(service), getDocumentTool(service), ingestDocsTool(service)],
      resources: [documentTemplate(service)],
      checks: {
        database: sqliteCheck(service.store.db),
        index: async () => {
          await service.ready();
          const { documents, passages, embedded } = service.store.counts();
          if (documents === 0) throw new Error('the index holds no documents');
          return `${documents} documents, ${passages} passages${service.embedder ? `, ${embedded} embedded` : ''}`;
        },
      },
      close: () => service.close(),
    },
    log,
  );
  return Object.assign(server, { service });
}
