/**
 * Every read and write of the knowledge index, over one SQLite handle (the kit's `openSqlite`).
 * Writes of one document happen in a transaction, so a search never sees half a document.
 * Embeddings are stored unit-length, so cosine similarity is a dot product; the vectors are kept
 * in memory after the first vector search until the index changes.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Passage } from '../ingest/chunk.ts';
import { migrate } from './schema.ts';

export type DocumentKind = 'runbook' | 'adr' | 'doc';

export interface StoredDocument {
  path: string;
  kind: DocumentKind;
  title: string;
  hash: string;
  content: string;
  lineCount: number;
  frontMatter: Record<string, unknown>;
}

export interface PassageRow {
  id: number;
  path: string;
  kind: DocumentKind;
  title: string;
  heading: string;
  startLine: number;
  endLine: number;
  text: string;
}

export interface Bm25Hit extends PassageRow {
  /** Positive; higher is better (the negated FTS5 bm25()). */
  score: number;
  snippet: string;
}

/** bm25() column weights: title, heading path, passage text. */
export const COLUMN_WEIGHTS = { title: 4, heading: 2.5, text: 1 } as const;

const PASSAGE_COLUMNS =
  'c.id, c.path, d.kind, c.title, c.heading, c.start_line AS startLine, c.end_line AS endLine, c.text';

export function toUnitVector(values: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

function blobOf(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

function vectorOf(blob: Uint8Array): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

export class KnowledgeStore {
  readonly db: DatabaseSync;
  private vectors: { id: number; kind: DocumentKind; vector: Float32Array }[] | undefined;

  constructor(db: DatabaseSync) {
    this.db = db;
    migrate(db);
  }

  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.vectors = undefined;
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run(key, value);
  }

  /** path → content hash of every indexed document. */
  documentHashes(): Map<string, string> {
    const rows = this.db.prepare('SELECT path, hash FROM documents').all() as {
      path: string;
      hash: string;
    }[];
    return new Map(rows.map((r) => [r.path, r.hash]));
  }

  /** Replaces a document and its passages (with their embeddings when given). */
  replaceDocument(
    doc: StoredDocument,
    passages: readonly Passage[],
    embeddings?: readonly Float32Array[],
  ): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM chunks WHERE path = ?').run(doc.path);
      this.db
        .prepare(
          `INSERT OR REPLACE INTO documents(path, kind, title, hash, content, line_count, front_matter, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          doc.path,
          doc.kind,
          doc.title,
          doc.hash,
          doc.content,
          doc.lineCount,
          JSON.stringify(doc.frontMatter),
          new Date().toISOString(),
        );
      const insert = this.db.prepare(
        `INSERT INTO chunks(path, seq, title, heading, start_line, end_line, text, embedding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      passages.forEach((p, i) => {
        const vector = embeddings?.[i];
        insert.run(
          doc.path,
          p.seq,
          doc.title,
          p.heading,
          p.startLine,
          p.endLine,
          p.text,
          vector ? blobOf(vector) : null,
        );
      });
    });
  }

  deleteDocument(path: string): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM chunks WHERE path = ?').run(path);
      this.db.prepare('DELETE FROM documents WHERE path = ?').run(path);
    });
  }

  /** Passages of a document that have no embedding yet, in order. */
  passagesWithoutEmbedding(path: string): PassageRow[] {
    return this.db
      .prepare(
        `SELECT ${PASSAGE_COLUMNS} FROM chunks c JOIN documents d ON d.path = c.path
         WHERE c.path = ? AND c.embedding IS NULL ORDER BY c.seq`,
      )
      .all(path) as unknown as PassageRow[];
  }

  setEmbeddings(ids: readonly number[], vectors: readonly Float32Array[]): void {
    this.transaction(() => {
      const update = this.db.prepare('UPDATE chunks SET embedding = ? WHERE id = ?');
      ids.forEach((id, i) => {
        const vector = vectors[i];
        if (vector) update.run(blobOf(vector), id);
      });
    });
  }

  clearEmbeddings(): void {
    this.transaction(() => this.db.exec('UPDATE chunks SET embedding = NULL'));
  }

  listDocuments(): { path: string; kind: DocumentKind; title: string }[] {
    return this.db.prepare('SELECT path, kind, title FROM documents ORDER BY path').all() as unknown as {
      path: string;
      kind: DocumentKind;
      title: string;
    }[];
  }

  getDocument(path: string): StoredDocument | undefined {
    const row = this.db
      .prepare(
        `SELECT path, kind, title, hash, content, line_count AS lineCount, front_matter AS frontMatter
         FROM documents WHERE path = ?`,
      )
      .get(path) as (Omit<StoredDocument, 'frontMatter'> & { frontMatter: string }) | undefined;
    return row ? { ...row, frontMatter: JSON.parse(row.frontMatter) as Record<string, unknown> } : undefined;
  }

  counts(): { documents: number; passages: number; embedded: number } {
    const row = this.db
      .prepare(
        `SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM chunks) AS passages,
                (SELECT count(*) FROM chunks WHERE embedding IS NOT NULL) AS embedded`,
      )
      .get() as { documents: number; passages: number; embedded: number };
    return { documents: row.documents, passages: row.passages, embedded: row.embedded };
  }

  /** The best passages for an FTS5 MATCH expression (built by search/query.ts, never user text). */
  bm25(match: string, kind: DocumentKind | undefined, limit: number): Bm25Hit[] {
    const { title, heading, text } = COLUMN_WEIGHTS;
    const rows = this.db
      .prepare(
        `SELECT ${PASSAGE_COLUMNS}, bm25(chunks_fts, ?, ?, ?) AS rank,
                snippet(chunks_fts, 2, '**', '**', '…', 24) AS snippet
         FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.path = c.path
         WHERE chunks_fts MATCH ? AND (? IS NULL OR d.kind = ?)
         ORDER BY rank LIMIT ?`,
      )
      .all(title, heading, text, match, kind ?? null, kind ?? null, limit) as unknown as (PassageRow & {
      rank: number;
      snippet: string;
    })[];
    return rows.map(({ rank, ...rest }) => ({ ...rest, score: -rank }));
  }

  passagesByIds(ids: readonly number[]): Map<number, PassageRow> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .prepare(
        `SELECT ${PASSAGE_COLUMNS} FROM chunks c JOIN documents d ON d.path = c.path
         WHERE c.id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(...(ids as SQLInputValue[])) as unknown as PassageRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The `limit` passages whose embeddings are closest (cosine) to `query` (unit length). */
  nearest(
    query: Float32Array,
    kind: DocumentKind | undefined,
    limit: number,
  ): { id: number; similarity: number }[] {
    this.vectors ??= (
      this.db
        .prepare(
          `SELECT c.id, d.kind, c.embedding FROM chunks c JOIN documents d ON d.path = c.path
           WHERE c.embedding IS NOT NULL`,
        )
        .all() as { id: number; kind: DocumentKind; embedding: Uint8Array }[]
    ).map((r) => ({ id: r.id, kind: r.kind, vector: vectorOf(r.embedding) }));
    const scored: { id: number; similarity: number }[] = [];
    for (const entry of this.vectors) {
      if (kind !== undefined && entry.kind !== kind) continue;
      if (entry.vector.length !== query.length) continue;
      let dot = 0;
      for (let i = 0; i < query.length; i++) dot += (query[i] ?? 0) * (entry.vector[i] ?? 0);
      scored.push({ id: entry.id, similarity: dot });
    }
    return scored.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
