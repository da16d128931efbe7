/**
 * Before a benchmark counts a running gateway's audit records straight from its embedded
 * database: the gateway acknowledges each call on its audit journal and commits within about
 * 50 ms, so wait until what it journalled is committed (the count then covers every answer).
 */
import { untilJournalCommitted } from '../../packages/gateway/src/audit/journal-replay.ts';
import { SqliteAuditStore } from '../../packages/gateway/src/audit/sqlite-store.ts';

export async function untilAuditCommitted(storage: string): Promise<void> {
  const store = new SqliteAuditStore({ path: storage });
  await store.init();
  try {
    const left = await untilJournalCommitted(store, `${storage}.audit-journal`, 10_000);
    if (left > 0) throw new Error(`${storage}: ${left} journalled audit record(s) not committed after 10 s`);
  } finally {
    await store.close();
  }
}
