/**
 * The audit journal (audit/journal.ts): events acknowledged on one append-only write, taken into
 * the SQLite store in batches, and replayed exactly once after a crash — by the next open, or by
 * `gatehouse audit` (replayAuditJournal). Real files, real SQLite, real SIGKILLs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { type AuditBatchFailure, AuditLog, type AuditLogOptions } from '../src/audit/audit-log.ts';
import type { AuditEvent, AuditRecord } from '../src/audit/event.ts';
import { AuditJournal, endsAtMark, type StoreJournalMark } from '../src/audit/journal.ts';
import { type JournalReplay, replayAuditJournal, uncommittedInJournal } from '../src/audit/journal-replay.ts';
import { createRedactor } from '../src/audit/redact.ts';
import { SqliteAuditStore } from '../src/audit/sqlite-store.ts';
import { verifyChain } from '../src/audit/verify.ts';

const redactor = createRedactor({ fields: [], patterns: [] });

function event(i: number): AuditEvent {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    requestId: `req-${i}`,
    traceId: null,
    principal: { id: 'key:k1', user: 'alice', org: 'acme', roles: ['sales'], via: 'api-key' },
    transport: 'http',
    era: 'legacy',
    sessionId: 's1',
    method: 'tools/call',
    target: 'crm_get_deal',
    upstream: 'crm',
    arguments: { dealId: `D-${i}`, note: 'ünïcode ✓' },
    decision: 'allow',
    rule: 'role:sales/allow[0]',
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 1.5,
    resultBytes: 5000,
    resultHash: 'cd'.repeat(32),
    approvedBy: null,
  };
}

function paths(): { db: string; journal: string } {
  const dir = makeTempDir('gatehouse-audit-journal-');
  return { db: join(dir, 'gatehouse.db'), journal: join(dir, 'gatehouse.db.audit-journal') };
}

async function openLog(
  db: string,
  journal: string,
  extra: Partial<AuditLogOptions> & { journalExtra?: Partial<NonNullable<AuditLogOptions['journal']>> } = {},
): Promise<{ log: AuditLog; opened: (JournalReplay | null)[]; errors: unknown[] }> {
  const opened: (JournalReplay | null)[] = [];
  const errors: unknown[] = [];
  const { journalExtra, ...rest } = extra;
  const log = await AuditLog.open({
    store: new SqliteAuditStore({ path: db }),
    redactor,
    onError: (error) => errors.push(error),
    journal: { path: journal, onOpen: (replay) => opened.push(replay), ...journalExtra },
    ...rest,
  });
  return { log, opened, errors };
}

/** Every record in the store (its own connection), checked as a chain. */
async function stored(db: string): Promise<{ records: AuditRecord[]; ok: boolean }> {
  const store = new SqliteAuditStore({ path: db });
  await store.init();
  try {
    const records = await store.page(0, 100_000);
    return { records, ok: (await verifyChain(store)).ok };
  } finally {
    await store.close();
  }
}

/** The store's journal mark (its database id included). */
async function markOf(db: string): Promise<StoreJournalMark> {
  const store = new SqliteAuditStore({ path: db });
  await store.init();
  try {
    return await store.journalMark();
  } finally {
    await store.close();
  }
}

function requestIds(records: readonly AuditRecord[]): string[] {
  return records.map((r) => r.requestId);
}

/**
 * A reopen replays nothing, and the store holds req-0 … req-(count-1), in order, each once, on a
 * chain that verifies.
 */
async function assertHeldOnce(db: string, journal: string, count: number): Promise<void> {
  const again = await openLog(db, journal);
  assert.deepEqual(again.opened, [{ replayed: 0, dropped: null }], 'nothing replayed twice');
  await again.log.close();
  const { records, ok } = await stored(db);
  assert.equal(ok, true);
  assert.deepEqual(
    requestIds(records),
    Array.from({ length: count }, (_, i) => `req-${i}`),
  );
}

/** Runs `body` in a child process with the audit modules imported; resolves with its stdout. */
function child(body: string): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  const auditLog = new URL('../src/audit/audit-log.ts', import.meta.url).href;
  const store = new URL('../src/audit/sqlite-store.ts', import.meta.url).href;
  const redact = new URL('../src/audit/redact.ts', import.meta.url).href;
  const script = `
    const { AuditLog } = await import(${JSON.stringify(auditLog)});
    const { SqliteAuditStore } = await import(${JSON.stringify(store)});
    const { createRedactor } = await import(${JSON.stringify(redact)});
    const template = ${JSON.stringify(event(0))};
    const event = (i) => ({ ...template, requestId: 'req-' + i, arguments: { ...template.arguments, dealId: 'D-' + i } });
    ${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => proc.on('exit', (_code, signal) => resolve({ stdout, signal })));
}

/** A process's start time as /proc gives it (field 22 of its stat). */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

async function waitForStartTime(pid: number): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(`/proc/${pid}/stat`); i++)
    await new Promise((r) => setTimeout(r, 10));
}

describe('audit journal', () => {
  it('acknowledges on the journal, and a read through the log sees every acknowledged record', async () => {
    const { db, journal } = paths();
    const { log, opened } = await openLog(db, journal);
    assert.deepEqual(opened, [{ replayed: 0, dropped: null }]);
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.record(event(i))));
    // Each acknowledged event is a line of the journal (after its header).
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 41);
    assert.equal(JSON.parse(lines[1] as string).requestId, 'req-0');
    const newest = await log.query({ limit: 100 });
    assert.equal(newest.length, 40);
    assert.equal(log.queueDepth, 0);
    assert.equal((await log.verify()).ok, true);
    assert.equal(log.writable, true);
    await log.close();
    assert.equal(existsSync(`${journal}.lock`), false, 'close gives up the lock');
  });

  it('a SIGKILL right after the acknowledgement loses nothing: the next open replays it, once', async () => {
    const { db, journal } = paths();
    const run = await child(`
      const log = await AuditLog.open({ store: new SqliteAuditStore({ path: ${JSON.stringify(db)} }),
        redactor: createRedactor({ fields: [], patterns: [] }), journal: { path: ${JSON.stringify(journal)} } });
      await Promise.all(Array.from({ length: 300 }, (_, i) => log.record(event(i))));
      process.stdout.write('acknowledged\\n');
      process.kill(process.pid, 'SIGKILL');`);
    assert.equal(run.signal, 'SIGKILL');
    assert.match(run.stdout, /acknowledged/);
    // Killed before its first take-in (50 ms later): the store alone holds none of them.
    assert.equal((await stored(db)).records.length, 0);
    assert.equal(existsSync(`${journal}.lock`), true, 'the dead process left its lock');

    const first = await openLog(db, journal);
    assert.deepEqual(first.opened, [{ replayed: 300, dropped: null }]);
    await first.log.record(event(300));
    await first.log.close();
    await assertHeldOnce(db, journal, 301);
  });

  it('a SIGKILL under steady load keeps every acknowledged record exactly once (replayed by the CLI path)', async () => {
    const { db, journal } = paths();
    const run = await child(`
      const log = await AuditLog.open({ store: new SqliteAuditStore({ path: ${JSON.stringify(db)} }),
        redactor: createRedactor({ fields: [], patterns: [] }), journal: { path: ${JSON.stringify(journal)} } });
      let i = 0;
      const tick = () => { const n = i++; log.record(event(n)).then(() => process.stdout.write(n + '\\n')); };
      setInterval(() => { for (let k = 0; k < 8; k++) tick(); }, 1);
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 400);`);
    assert.equal(run.signal, 'SIGKILL');
    const acknowledged = run.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `req-${l}`);
    assert.ok(acknowledged.length > 100, `${acknowledged.length} acknowledged`);

    const store = new SqliteAuditStore({ path: db });
    await store.init();
    const replay = await replayAuditJournal(store, journal);
    assert.ok(replay !== null);
    assert.equal(await replayAuditJournal(store, journal).then((r) => r?.replayed), 0, 'exactly once');
    await store.close();

    const { records, ok } = await stored(db);
    assert.equal(ok, true);
    const ids = requestIds(records);
    assert.equal(new Set(ids).size, ids.length, 'no record twice');
    const have = new Set(ids);
    const missing = acknowledged.filter((id) => !have.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged records missing`);
  });

  it('drops a torn last line (never acknowledged) and continues on a whole line', async () => {
    const { db, journal } = paths();
    const opened = AuditJournal.open(journal, await markOf(db));
    assert.ok(opened);
    opened.journal.append([JSON.stringify(event(1)), JSON.stringify(event(2))]);
    opened.journal.close();
    appendFileSync(journal, '{"time":"2026-01-01T00:00:00.003Z","requestId":"req-3","tra');

    const { log, opened: replays } = await openLog(db, journal);
    assert.equal(replays[0]?.replayed, 2);
    assert.match(replays[0]?.dropped ?? '', /torn last line/);
    await log.record(event(4));
    await log.close();
    assert.doesNotMatch(readFileSync(journal, 'utf8'), /"tra\n|"tra\{/, 'the torn bytes were cut');

    const again = await openLog(db, journal);
    assert.deepEqual(again.opened, [{ replayed: 0, dropped: null }]);
    await again.log.close();
    const { records, ok } = await stored(db);
    assert.equal(ok, true);
    assert.deepEqual(requestIds(records), ['req-1', 'req-2', 'req-4']);
  });

  it('does not replay a journal written for another database (one deleted and made anew)', async () => {
    const { db, journal } = paths();
    const first = await openLog(db, journal);
    await Promise.all([first.log.record(event(1)), first.log.record(event(2))]);
    await first.log.close(); // committed, and still lines of the journal
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });

    const { log, opened } = await openLog(db, journal);
    assert.equal(opened[0]?.replayed, 0);
    assert.match(opened[0]?.dropped ?? '', /written for another audit database/);
    await log.record(event(3));
    await log.close();
    assert.deepEqual(requestIds((await stored(db)).records), ['req-3']);
  });

  it('starts a journal with no readable header afresh, and says so', async () => {
    const { db, journal } = paths();
    writeFileSync(journal, 'not a journal\n{"x":1}\n');
    const { log, opened } = await openLog(db, journal);
    assert.deepEqual(opened, [{ replayed: 0, dropped: 'the journal has no readable header' }]);
    await log.record(event(1));
    await log.close();
    assert.deepEqual(requestIds((await stored(db)).records), ['req-1']);
  });

  it('rotates once the store holds everything, and a reopen after rotations replays nothing', async () => {
    const { db, journal } = paths();
    const generationOf = (): number =>
      JSON.parse(readFileSync(journal, 'utf8').split('\n')[0] as string).generation;
    const { log } = await openLog(db, journal, { journalExtra: { rotateBytes: 1 } });
    const before = generationOf();
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => log.record(event(round * 5 + i))));
      await log.flush();
    }
    assert.equal(generationOf(), before + 3, 'one new generation per take-in');
    assert.equal(readFileSync(journal, 'utf8').split('\n').length, 2, 'a fresh file holds its header only');
    await log.record(event(15)); // journalled in the newest generation, taken in at close
    await log.close();
    await assertHeldOnce(db, journal, 16);
  });

  it('a second log on the same journal commits directly; a lock left by a dead process is taken over', async () => {
    const { db, journal } = paths();
    const first = await openLog(db, journal);
    const second = await openLog(db, journal);
    assert.deepEqual(second.opened, [null], 'held by the first');
    await Promise.all([first.log.record(event(1)), second.log.record(event(2))]);
    assert.deepEqual(
      requestIds((await stored(db)).records),
      ['req-2'],
      'the second committed before answering',
    );
    await second.log.close();
    await first.log.close();
    assert.equal((await stored(db)).ok, true);

    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(`${journal}.lock`, `${dead}\n`);
    const third = await openLog(db, journal);
    assert.deepEqual(third.opened, [{ replayed: 0, dropped: null }]);
    assert.equal(readFileSync(`${journal}.lock`, 'utf8'), `${process.pid} ${startTime(process.pid)}\n`);
    await third.log.close();
  });

  it('tells a live holder from a reused PID by its start time (a container restarted as PID 1)', async () => {
    const { db, journal } = paths();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid as number;
      await waitForStartTime(pid);
      // The lock names a live process, but one started at another time: its writer is gone.
      writeFileSync(`${journal}.lock`, `${pid} 1\n`);
      const reused = await openLog(db, journal);
      assert.deepEqual(reused.opened, [{ replayed: 0, dropped: null }]);
      await reused.log.close();
      // This process's own PID, left by an earlier run of it: taken over as well.
      writeFileSync(`${journal}.lock`, `${process.pid} 1\n`);
      const again = await openLog(db, journal);
      assert.deepEqual(again.opened, [{ replayed: 0, dropped: null }]);
      await again.log.close();
      // The live process that did write it: held.
      writeFileSync(`${journal}.lock`, `${pid} ${startTime(pid)}\n`);
      const held = await openLog(db, journal);
      assert.deepEqual(held.opened, [null]);
      await held.log.close();
      // A lock another process has just created and not yet written: held; a second later, stale.
      writeFileSync(`${journal}.lock`, '');
      const creating = await openLog(db, journal);
      assert.deepEqual(creating.opened, [null]);
      await creating.log.close();
      const aSecondAgo = new Date(Date.now() - 2000);
      utimesSync(`${journal}.lock`, aSecondAgo, aSecondAgo);
      const later = await openLog(db, journal);
      assert.deepEqual(later.opened, [{ replayed: 0, dropped: null }]);
      await later.log.close();
    } finally {
      sleeper.kill();
    }
  });

  it('keeps events journalled while the store refuses them, reports it, and commits them on the retry', async () => {
    const { db, journal } = paths();
    const store = new SqliteAuditStore({ path: db });
    let refusals = 1;
    const append = store.append.bind(store);
    store.append = (records, mark) => {
      if (refusals-- > 0) return Promise.reject(new Error('database is locked'));
      return append(records, mark);
    };
    const failures: AuditBatchFailure[] = [];
    const log = await AuditLog.open({
      store,
      redactor,
      onError: (_error, failure) => failures.push(failure),
      journal: { path: journal },
    });
    await Promise.all(Array.from({ length: 3 }, (_, i) => log.record(event(i))));
    await log.flush(); // the first take-in fails
    assert.deepEqual(failures, [{ events: 3, firstSeq: 1 }]);
    assert.equal(log.writable, false);
    assert.equal(log.queueDepth, 3);
    await log.flush(); // the retry commits
    assert.equal(log.writable, true);
    assert.equal(log.queueDepth, 0);
    await log.close();
    const { records, ok } = await stored(db);
    assert.equal(ok, true);
    assert.deepEqual(requestIds(records), ['req-0', 'req-1', 'req-2']);
  });

  it('counts what is journalled and not committed, reading only the header when nothing is', async () => {
    const { db, journal } = paths();
    const store = new SqliteAuditStore({ path: db });
    await store.init();
    assert.equal(await uncommittedInJournal(store, journal), 0, 'no journal yet');
    const opened = AuditJournal.open(journal, await store.journalMark());
    assert.ok(opened);
    opened.journal.append([JSON.stringify(event(1)), JSON.stringify(event(2))]);
    opened.journal.append([JSON.stringify(event(3))]);
    opened.journal.close();
    assert.equal(endsAtMark(journal, await store.journalMark()), false);
    assert.equal(await uncommittedInJournal(store, journal), 3);
    assert.equal((await replayAuditJournal(store, journal))?.replayed, 3);
    assert.equal(endsAtMark(journal, await store.journalMark()), true);
    assert.equal(await uncommittedInJournal(store, journal), 0);
    await store.close();
  });

  it('leaves a journal a running process holds to that process', async () => {
    const { db, journal } = paths();
    const { log } = await openLog(db, journal);
    const store = new SqliteAuditStore({ path: db });
    await store.init();
    assert.equal(await replayAuditJournal(store, journal), null);
    await store.close();
    await log.close();
  });
});
