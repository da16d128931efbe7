/**
 * The session bus on a real PostgreSQL (LISTEN/NOTIFY, storage/session-bus-pg.ts), as two
 * replicas use it: what one publishes reaches the other and never itself; a message over
 * NOTIFY's size limit travels through a table; a LISTEN connection the server kills is opened
 * again and hears what is sent afterwards, and the loss is reported; replicas in another schema
 * of the same database hear nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { SessionBusMessage } from '@gatehouse/sessions';
import pg from 'pg';
import { openSharedPostgres, type SharedPostgres } from '../src/storage/postgres.ts';
import { PgSessionBus } from '../src/storage/session-bus-pg.ts';
import { waitFor } from './helpers/harness.ts';
import { dropPgSchemas, freshPgUrl } from './helpers/pg-schema.ts';

interface Replica {
  bus: PgSessionBus;
  heard: SessionBusMessage[];
  errors: string[];
}

const opened: { shared: SharedPostgres; bus: PgSessionBus }[] = [];

async function replica(url: string): Promise<Replica> {
  const shared = openSharedPostgres({ url, poolSize: 2 });
  const errors: string[] = [];
  const bus = new PgSessionBus(shared, url, (error) => errors.push(error.message));
  const heard: SessionBusMessage[] = [];
  bus.subscribe((message) => heard.push(message));
  await bus.listening();
  opened.push({ shared, bus });
  return { bus, heard, errors };
}

function answer(session: string, text: string): SessionBusMessage {
  return {
    kind: 'client-messages',
    session,
    owner: 'alice',
    body: { jsonrpc: '2.0', id: 3, result: { action: 'accept', content: { text } } },
  };
}

/** Messages for `session` only: other tests on this database may be talking too. */
function about(replica: Replica, session: string): SessionBusMessage[] {
  return replica.heard.filter((message) => message.session === session);
}

after(async () => {
  for (const { shared, bus } of opened.splice(0)) {
    await bus.close();
    await shared.close();
  }
  await dropPgSchemas();
});

describe('the session bus on PostgreSQL', () => {
  it('carries a message to the other replica, never back to its sender', async () => {
    const url = await freshPgUrl('bus');
    const [a, b] = [await replica(url), await replica(url)];
    const session = randomUUID();
    await a.bus.publish(answer(session, 'yes'));
    await a.bus.publish({ kind: 'ended', session });
    await waitFor(() => about(b, session).length === 2, 5_000);
    assert.deepEqual(about(b, session), [answer(session, 'yes'), { kind: 'ended', session }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(about(a, session), []);
  });

  it('carries a message larger than a notice can hold through a table', async () => {
    const url = await freshPgUrl('bus');
    const [a, b] = [await replica(url), await replica(url)];
    const session = randomUUID();
    const large = answer(session, 'x'.repeat(50_000));
    await a.bus.publish(large);
    await waitFor(() => about(b, session).length === 1, 5_000);
    assert.deepEqual(about(b, session), [large]);
    assert.deepEqual(b.errors, []);
  });

  it('listens again after the server ended its connection, reporting the loss', async () => {
    const url = await freshPgUrl('bus');
    const [a, b] = [await replica(url), await replica(url)];
    // The LISTEN connections of this schema's channel (a's and b's), not other tests' on this database.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'gatehouse-listen'
            AND query = 'LISTEN gatehouse_sessions_' || substr(md5(current_schema()), 1, 16)`,
      );
    } finally {
      await admin.end();
    }
    await waitFor(() => b.errors.length > 0, 5_000);
    const session = randomUUID();
    // Until b listens again a message is missed (at most once); sent again, it arrives.
    await waitFor(async () => {
      await a.bus.publish({ kind: 'ended', session });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return about(b, session).length > 0;
    }, 10_000);
    assert.match(b.errors[0] ?? '', /terminat/i);
  });

  it('is not heard by gateways in another schema of the same database', async () => {
    const [here, elsewhere] = [
      await replica(await freshPgUrl('bus')),
      await replica(await freshPgUrl('bus')),
    ];
    const session = randomUUID();
    await here.bus.publish({ kind: 'ended', session });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(about(elsewhere, session), []);
  });
});
