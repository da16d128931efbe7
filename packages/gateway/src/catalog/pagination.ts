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

/** `key` must be unique within `items`. */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  pageSize: number,
  cursor?: string,
): Page<T> {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    const index = items.findIndex((item) => key(item) === after);
    if (index === -1)
      throw wireError('InvalidParams', 'Cursor expired: the list changed; list again from the start');
    start = index + 1;
  }
  const page = items.slice(start, start + pageSize);
  const last = page.at(-1);
  const hasMore = start + pageSize < items.length && last !== undefined;
  return hasMore ? { items: page, nextCursor: encodeCursor(key(last)) } : { items: page };
}
