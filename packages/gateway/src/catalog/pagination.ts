/**
 * Opaque cursors over the merged catalog, which keeps each upstream's own order. The cursor
 * carries the last name served, so pages stay consistent when items are added or removed
 * elsewhere between pages; if that very item disappeared, the cursor is refused (-32602) and the
 * client lists again.
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

/**
 * Where the page after `cursor` starts in `items` (0 without a cursor); refuses a malformed cursor
 * and one whose last item is gone. `key` must be unique within `items`.
 */
export function pageStart<T>(items: readonly T[], key: (item: T) => string, cursor?: string): number {
  if (cursor === undefined) return 0;
  const after = decodeCursor(cursor);
  const index = items.findIndex((item) => key(item) === after);
  if (index === -1)
    throw wireError('InvalidParams', 'Cursor expired: the list changed; list again from the start');
  return index + 1;
}

/** The page of `pageSize` items starting at `start`, with the cursor of the next one if any. */
export function pageAt<T>(
  items: readonly T[],
  key: (item: T) => string,
  pageSize: number,
  start: number,
): Page<T> {
  const page = items.slice(start, start + pageSize);
  const last = page.at(-1);
  const hasMore = start + pageSize < items.length && last !== undefined;
  return hasMore ? { items: page, nextCursor: encodeCursor(key(last)) } : { items: page };
}

/** `key` must be unique within `items`. */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  pageSize: number,
  cursor?: string,
): Page<T> {
  return pageAt(items, key, pageSize, pageStart(items, key, cursor));
}
