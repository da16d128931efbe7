/**
 * Reading a running gateway's audit from its embedded database, as a second process would. The
 * gateway acknowledges on its audit journal and commits to the database within about 50 ms, so a
 * reader first waits for what was journalled to be committed (as `gatehouse audit` does).
 */
import { auditJournalPath } from '../../src/access.ts';
import { untilJournalCommitted } from '../../src/audit/journal-replay.ts';
import { SqliteAuditStore } from '../../src/audit/sqlite-store.ts';

/** The audit store at `storage`, opened once everything journalled so far is committed. */
export async function openCommittedAudit(storage: string): Promise<SqliteAuditStore> {
  const store = new SqliteAuditStore({ path: storage });
  await store.init();
  const journal = auditJournalPath(store);
  const left = journal === null ? 0 : await untilJournalCommitted(store, journal, 5000);
  if (left > 0) {
    await store.close();
    throw new Error(`${left} journalled audit record(s) of ${storage} still not committed after 5 s`);
  }
  return store;
}
