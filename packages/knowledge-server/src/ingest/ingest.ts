/**
 * Incremental ingestion of a folder of Markdown into the index. Each file's content hash (with
 * the chunker version) is compared with the indexed one: unchanged files are skipped, new and
 * changed files are parsed, chunked and (with an embedding provider) embedded, and indexed files
 * that are gone from disk are deleted. Progress is reported once per document. An embedding
 * provider that fails does not fail the ingest: the passages are indexed for BM25 and the missing
 * vectors are filled in by a later run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { EmbeddingsClient } from '../connectors/embeddings.ts';
import type { DocumentKind, KnowledgeStore } from '../store/knowledge-store.ts';
import { CHUNKER_VERSION, chunkDocument } from './chunk.ts';
import { parseMarkdown } from './markdown.ts';

export interface IngestOptions {
  /** A file or folder inside the root, relative to it; the whole root when absent. */
  scope?: string;
  embedder?: EmbeddingsClient;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => Promise<void> | void;
}

export interface IngestReport {
  scope: string;
  scanned: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Paths added, updated or removed (the first 50). */
  changed: string[];
  /** Passages newly embedded in this run. */
  embedded: number;
  /** Why some passages have no embedding, when that happened. */
  note?: string;
  totals: { documents: number; passages: number; embedded: number };
}

/** A problem with what was asked (bad scope, missing folder); the tool maps it to a ToolError. */
export class IngestError extends Error {
  readonly code: 'invalid_path' | 'not_found';
  constructor(code: 'invalid_path' | 'not_found', message: string) {
    super(message);
    this.name = 'IngestError';
    this.code = code;
  }
}

const MARKDOWN = /\.(md|markdown)$/i;
const MAX_CHANGED_LISTED = 50;

export function kindOf(path: string, frontMatter: Record<string, unknown>): DocumentKind {
  const declared = frontMatter.kind;
  if (declared === 'runbook' || declared === 'adr' || declared === 'doc') return declared;
  const top = path.split('/')[0]?.toLowerCase() ?? '';
  if (top === 'runbooks' || top === 'runbook') return 'runbook';
  if (top === 'adr' || top === 'adrs' || top === 'decisions') return 'adr';
  return 'doc';
}

export function contentHash(content: string): string {
  return createHash('sha256').update(`chunker ${CHUNKER_VERSION}\n`).update(content).digest('hex');
}

/** Normalises a scope ('' = everything) and refuses anything that leaves the root. */
export function resolveScope(scope: string | undefined): string {
  const raw = (scope ?? '')
    .trim()
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (raw === '' || raw === '.') return '';
  if (isAbsolute(raw) || raw.split('/').includes('..') || raw.includes('\0'))
    throw new IngestError(
      'invalid_path',
      `path must be relative to the documents folder, without "..": ${raw}`,
    );
  return raw;
}

async function markdownFiles(root: string, scope: string): Promise<string[] | undefined> {
  const target = resolve(root, scope);
  const info = await stat(target).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile()) return MARKDOWN.test(target) ? [scope] : [];
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && MARKDOWN.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('.') || part === 'node_modules'))
    .sort();
}

function inScope(path: string, scope: string): boolean {
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Embeds passages for one run; after the first provider failure it stops trying and says why. */
class EmbeddingStep {
  private embedder: EmbeddingsClient | undefined;
  private readonly report: IngestReport;
  private readonly signal: AbortSignal | undefined;

  constructor(embedder: EmbeddingsClient | undefined, report: IngestReport, signal: AbortSignal | undefined) {
    this.embedder = embedder;
    this.report = report;
    this.signal = signal;
  }

  get active(): boolean {
    return this.embedder !== undefined;
  }

  async embed(passages: readonly { heading: string; text: string }[]): Promise<Float32Array[] | undefined> {
    if (!this.embedder || passages.length === 0) return undefined;
    try {
      const vectors = await this.embedder.embed(
        passages.map((p) => `${p.heading}\n\n${p.text}`),
        this.signal,
      );
      this.report.embedded += vectors.length;
      return vectors;
    } catch (error) {
      this.signal?.throwIfAborted();
      this.report.note = `embedding provider failed (${errorText(error)}); passages were indexed for BM25 search only and will be embedded on the next ingest`;
      this.embedder = undefined;
      return undefined;
    }
  }
}

function emptyReport(scope: string): IngestReport {
  return {
    scope: scope || '.',
    scanned: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    changed: [],
    embedded: 0,
    totals: { documents: 0, passages: 0, embedded: 0 },
  };
}

function noteChange(report: IngestReport, path: string, action: 'added' | 'updated' | 'removed'): void {
  report[action] += 1;
  if (report.changed.length < MAX_CHANGED_LISTED) report.changed.push(`${action}: ${path}`);
}

/** Brings one file's entry in the index up to date; returns whether it changed. */
async function ingestFile(
  store: KnowledgeStore,
  root: string,
  path: string,
  previousHash: string | undefined,
  embedding: EmbeddingStep,
): Promise<boolean> {
  const content = await readFile(join(root, path), 'utf8');
  const hash = contentHash(content);
  if (previousHash === hash) {
    // Unchanged text; fill in vectors a failed provider or a model change left missing.
    const missing = embedding.active ? store.passagesWithoutEmbedding(path) : [];
    const vectors = await embedding.embed(missing);
    if (vectors)
      store.setEmbeddings(
        missing.map((p) => p.id),
        vectors,
      );
    return false;
  }
  const parsed = parseMarkdown(path, content);
  const passages = chunkDocument(parsed);
  const vectors = await embedding.embed(passages);
  const document = {
    path,
    kind: kindOf(path, parsed.frontMatter),
    title: parsed.title,
    hash,
    content,
    lineCount: parsed.lines.length,
    frontMatter: parsed.frontMatter,
  };
  store.replaceDocument(document, passages, vectors);
  return true;
}

export async function ingestDirectory(
  store: KnowledgeStore,
  root: string,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const rootInfo = await stat(root).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw new IngestError('not_found', `documents folder not found: ${root}`);
  const scope = resolveScope(options.scope);
  const indexed = store.documentHashes();
  const files = await markdownFiles(root, scope);
  const indexedInScope = [...indexed.keys()].filter((p) => inScope(p, scope));
  if (files === undefined && indexedInScope.length === 0)
    throw new IngestError('not_found', `no such file or folder in the documents folder: ${scope}`);

  if (options.embedder && store.getMeta('embedding_model') !== options.embedder.model) {
    store.clearEmbeddings();
    store.setMeta('embedding_model', options.embedder.model);
  }
  const report = emptyReport(scope);
  const embedding = new EmbeddingStep(options.embedder, report, options.signal);
  const present = new Set(files ?? []);
  const removals = indexedInScope.filter((p) => !present.has(p));
  const total = present.size + removals.length;
  let done = 0;
  for (const path of present) {
    options.signal?.throwIfAborted();
    const previous = indexed.get(path);
    const changed = await ingestFile(store, root, path, previous, embedding);
    report.scanned += 1;
    if (changed) noteChange(report, path, previous === undefined ? 'added' : 'updated');
    else report.unchanged += 1;
    done += 1;
    await options.onProgress?.(done, total, `${changed ? 'indexed' : 'unchanged'} ${path}`);
  }
  for (const path of removals) {
    store.deleteDocument(path);
    noteChange(report, path, 'removed');
    done += 1;
    await options.onProgress?.(done, total, `removed ${path}`);
  }
  store.setMeta('last_ingest', new Date().toISOString());
  report.totals = store.counts();
  return report;
}
