/**
 * Opaque cursors over a merged, name-ordered list. The cursor carries the last name served, so
 * pages stay consistent when the catalog changes between pages: nothing is served twice, and
 * items added behind the cursor are simply not on the remaining pages.
 */
import { wireError } from '../errors/wire.ts';

const VERSION = 'v1';

export function encodeCursor(lastKey: string): string {
  return Buffer.from(JSON.stringify([VERSION, lastKey]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded[0] === VERSION && typeof decoded[1] === 'string') return decoded[1];
  } catch {
    // fall through to the error below
  }
  throw wireError('InvalidParams', 'Invalid cursor: pass back the nextCursor of a previous page unchanged');
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** `items` must be sorted by `key`. */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  pageSize: number,
  cursor?: string,
): Page<T> {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    start = items.findIndex((item) => key(item) > after);
    if (start === -1) start = items.length;
  }
  const page = items.slice(start, start + pageSize);
  const last = page.at(-1);
  const hasMore = start + pageSize < items.length && last !== undefined;
  return hasMore ? { items: page, nextCursor: encodeCursor(key(last)) } : { items: page };
}
