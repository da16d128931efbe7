/**
 * The knowledge service the tools and resources share: the index store, the optional embedding
 * client, and ingestion. Ingest runs are serialised (a second run waits for the first), and the
 * index is brought up to date once at startup — empty or stale, the incremental ingest fixes it;
 * when nothing changed it only re-reads and hashes the files. Requests wait for that first run.
 */
import { resolve } from 'node:path';
import type { Logger } from '@gatehouse/kit';
import { ToolError } from '@gatehouse/kit';
import { openSqlite } from '@gatehouse/kit/infra';
import type { KnowledgeConfig } from './config.ts';
import { EmbeddingsClient } from './connectors/embeddings.ts';
import { IngestError, type IngestOptions, type IngestReport, ingestDirectory } from './ingest/ingest.ts';
import { KnowledgeStore } from './store/knowledge-store.ts';

export class KnowledgeService {
  readonly config: KnowledgeConfig;
  readonly store: KnowledgeStore;
  readonly embedder: EmbeddingsClient | undefined;
  readonly docsDir: string;
  private readonly log: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private startup: Promise<void> | undefined;
  private startupError: string | undefined;

  constructor(config: KnowledgeConfig, log: Logger, fetchImpl?: typeof fetch) {
    this.config = config;
    this.log = log;
    this.docsDir = resolve(config.docsDir);
    this.store = new KnowledgeStore(openSqlite(config.dbPath));
    this.embedder = config.embeddings ? new EmbeddingsClient(config.embeddings, fetchImpl) : undefined;
  }

  /** Starts the startup ingest (once); requests await it through `ready()`. */
  start(): Promise<void> {
    this.startup ??= this.ingest({})
      .then((report) => {
        this.log.info(
          { added: report.added, updated: report.updated, removed: report.removed, totals: report.totals },
          'knowledge index up to date',
        );
        if (report.note) this.log.warn({ note: report.note }, 'startup ingest without embeddings');
      })
      .catch((error: unknown) => {
        this.startupError = error instanceof Error ? error.message : String(error);
        this.log.error({ err: error }, 'startup ingest failed');
      });
    return this.startup;
  }

  /** Waits for the startup ingest; fails with a clear error if it failed and nothing is indexed. */
  async ready(): Promise<void> {
    await this.start();
    if (this.startupError !== undefined && this.store.counts().documents === 0) {
      throw new ToolError(
        'index_unavailable',
        `The knowledge index is empty because indexing failed at startup: ${this.startupError}`,
      );
    }
  }

  /** Runs an incremental ingest after any run in progress. */
  ingest(options: Omit<IngestOptions, 'embedder'>): Promise<IngestReport> {
    const run = this.queue.then(() =>
      ingestDirectory(this.store, this.docsDir, {
        ...options,
        ...(this.embedder ? { embedder: this.embedder } : {}),
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Maps ingest failures to tool errors a model can act on. */
  static toolErrorOf(error: unknown): unknown {
    if (error instanceof IngestError) return new ToolError(error.code, error.message);
    return error;
  }

  async close(): Promise<void> {
    await this.queue;
    this.store.close();
  }
}
