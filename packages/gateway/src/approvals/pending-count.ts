/**
 * The pending-approvals gauge's reading. Counting is a query (to PostgreSQL, with replicas), and
 * a metrics scrape must not hang on it: a scrape waits at most `waitMs` for a fresh count, else
 * reports the last one it had (0 before the first), while the count still in flight updates it
 * for the next scrape. A count that fails (database unreachable) keeps the last value.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalStore } from './approval-store.ts';

export function pendingCountReader(store: () => ApprovalStore, waitMs = 250): () => Promise<number> {
  let last = 0;
  let counting: Promise<number> | null = null;
  return () => {
    counting ??= store()
      .countPending()
      .then(
        (n) => {
          last = n;
          return n;
        },
        () => last,
      )
      .finally(() => {
        counting = null;
      });
    return Promise.race([counting, sleep(waitMs, undefined, { ref: false }).then(() => last)]);
  };
}
