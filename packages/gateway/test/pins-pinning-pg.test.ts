/**
 * Two ToolPinning instances on one PostgreSQL schema — two replicas, each with its own pool and
 * its own audit sink — driven directly: admission is served from memory, an approval made on one
 * is served by the other within the documented time, every pin event is audited by exactly one
 * of them, and a replica whose PostgreSQL goes away or hangs (a proxy in front of it, cut or
 * frozen) logs it once, keeps enforcing the last known pins, and logs its recovery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Tool } from '@modelcontextprotocol/client';
import pino from 'pino';
import type { AuditEvent } from '../src/audit/event.ts';
import type { UpstreamModel } from '../src/config/model.ts';
import { toolHash } from '../src/pins/definition.ts';
import { PIN_EFFECT_SECONDS, ToolPinning } from '../src/pins/pinning.ts';
import { PgPinStore } from '../src/pins/store-pg.ts';
import { openSharedPostgres, type SharedPostgres } from '../src/storage/postgres.ts';
import { modelFromYaml, waitFor } from './helpers/harness.ts';
import { dropPgSchemas, freshPgUrl } from './helpers/pg-schema.ts';
import { startTcpProxy, type TcpProxy, throughProxy } from './helpers/tcp-proxy.ts';

const lookup: Tool = {
  name: 'lookup',
  description: 'Look up a customer by id',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
};
const changed: Tool = { ...lookup, description: 'Look up a customer, and mail it out' };
const third: Tool = { ...lookup, description: 'a third definition' };

const crm: UpstreamModel = (() => {
  const model = modelFromYaml('upstreams:\n  - { name: crm, transport: stdio, command: node }\n');
  const upstream = model.upstreams[0];
  assert.ok(upstream);
  return upstream;
})();

interface Replica {
  pinning: ToolPinning;
  shared: SharedPostgres;
  audited: AuditEvent[];
  logs: { level: number; msg: string }[];
  rebuilds: number;
  /** Each upstream's current list, re-admitted on every rebuild as the catalog does. */
  listed: Map<UpstreamModel, Tool[]>;
}

function replica(url: string): Replica {
  const shared = openSharedPostgres({ url, poolSize: 2 });
  const r = { shared, audited: [], logs: [], rebuilds: 0, listed: new Map() } as unknown as Replica;
  r.pinning = new ToolPinning({
    store: new PgPinStore(shared),
    audit: { record: async (event) => void r.audited.push(event) },
    log: pino({ level: 'info' }, { write: (line: string) => void r.logs.push(JSON.parse(line)) }),
    pollMs: 200,
  });
  return r;
}

/** What replica `r` serves when its upstream lists `tools`. */
function served(r: Replica, tools: Tool[], upstream = crm): (string | undefined)[] {
  r.listed.set(upstream, tools);
  return r.pinning.admit(upstream, tools).map((t) => t.description);
}

/** The catalog's part: a rebuild re-admits the upstream's current list. */
function rebuild(r: Replica): void {
  r.rebuilds++;
  for (const [upstream, tools] of r.listed) r.pinning.admit(upstream, tools);
}

describe('two ToolPinning replicas on one PostgreSQL schema', () => {
  let proxy: TcpProxy;
  let a: Replica;
  let b: Replica;

  before(async () => {
    const url = await freshPgUrl('pinning');
    proxy = await startTcpProxy({ host: new URL(url).hostname, port: Number(new URL(url).port) });
    a = replica(url);
    b = replica(throughProxy(url, proxy));
    await Promise.all([a.pinning.load(), b.pinning.load()]);
    a.pinning.start(() => rebuild(a));
    b.pinning.start(() => rebuild(b));
  });

  after(async () => {
    for (const r of [a, b]) {
      await r?.pinning.close();
      await r?.shared.close();
    }
    await proxy?.close();
    await dropPgSchemas();
  });

  it('serves from memory, enforces an approval made on the other within the documented time, audits each event once', async () => {
    // Both see the tool first, at once: one pin; both serve it.
    assert.deepEqual(served(a, [lookup]), [lookup.description]);
    assert.deepEqual(served(b, [lookup]), [lookup.description]);
    await waitFor(async () => (await a.pinning.store.pins()).length === 1, 5_000, 'the pin stored');
    // Both upstreams change it: held back on both, one pending change.
    assert.deepEqual(served(a, [changed]), [lookup.description]);
    assert.deepEqual(served(b, [changed]), [lookup.description]);
    await waitFor(async () => (await a.pinning.list()).pending.length === 1, 5_000, 'the change stored');

    const before = b.rebuilds;
    const pin = await a.pinning.approve('crm', 'lookup', 'alice', { via: 'console' });
    const at = Date.now();
    assert.equal(pin?.hash, toolHash(changed));
    assert.deepEqual(served(a, [changed]), [changed.description], 'served at once where approved');
    await waitFor(() => b.rebuilds > before, PIN_EFFECT_SECONDS * 1000, 'B to notice the approval');
    assert.ok(Date.now() - at <= PIN_EFFECT_SECONDS * 1000);
    assert.deepEqual(served(b, [changed]), [changed.description], 'and by the other replica');

    const events = await a.pinning.store.events();
    assert.deepEqual(
      events.map((e) => e.kind),
      ['changed', 'approved'],
    );
    const ids = () => [...a.audited, ...b.audited].map((e) => e.requestId).sort();
    await waitFor(() => ids().length === events.length, 5_000, 'every event audited');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // five more polls each
    assert.deepEqual(
      ids(),
      events.map((e) => `pin-event-${e.id}`).sort(),
      'each event audited by exactly one replica',
    );
  });

  it('settles two different first sights on one pin: the other replica holds its own back as a change', async () => {
    const mine: Tool = { name: 'status', description: 'Service status', inputSchema: { type: 'object' } };
    const theirs: Tool = { ...mine, description: 'Service status, and restart it' };
    const ops = { ...crm, name: 'ops' };
    assert.deepEqual(
      [served(a, [mine], ops)[0], served(b, [theirs], ops)[0]],
      [mine.description, theirs.description],
      'each trusts its first sight until it has looked',
    );
    await waitFor(async () => (await a.pinning.store.pin('ops', 'status')) !== undefined, 5_000, 'a pin');
    const winner = await a.pinning.store.pin('ops', 'status');
    const loser = winner?.hash === toolHash(mine) ? b : a;
    const loserTools = loser === a ? [mine] : [theirs];
    await waitFor(
      async () => (await a.pinning.list()).pending.some((c) => c.upstream === 'ops'),
      PIN_EFFECT_SECONDS * 1000 + 1_000,
      "the loser's definition recorded as a change",
    );
    assert.deepEqual(
      served(loser, loserTools, ops),
      [winner?.definition.description],
      'the loser serves the stored pin',
    );
  });

  it('replicas whose upstreams disagree do not overwrite each other: one event each, and a revert seen by one keeps what the other is offered', async () => {
    const one: Tool = { name: 'report', description: 'Report v1', inputSchema: { type: 'object' } };
    const x: Tool = { ...one, description: 'Report v2 as replica A is offered it' };
    const y: Tool = { ...one, description: 'Report v2 as replica B is offered it' };
    const billing = { ...crm, name: 'billing' };
    served(a, [one], billing);
    served(b, [one], billing);
    await waitFor(async () => (await a.pinning.store.pin('billing', 'report')) !== undefined, 5_000, 'a pin');
    const changes = async () =>
      (await a.pinning.store.events()).filter((e) => e.kind === 'changed' && e.upstream === 'billing');
    // A is offered x, B is offered y, for a while (a rolling deploy): both hold it back.
    assert.deepEqual(served(a, [x], billing), [one.description]);
    assert.deepEqual(served(b, [y], billing), [one.description]);
    await waitFor(async () => (await changes()).length === 2, 5_000, 'each change stored');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // several re-reads on each
    assert.equal((await changes()).length, 2, 'no ping-pong between the replicas');
    assert.deepEqual(served(a, [x], billing), [one.description]);
    assert.deepEqual(served(b, [y], billing), [one.description]);

    // B is offered v1 again while A is still offered x: x is what stays pending (B drops only a
    // change it reported itself, and A reports x again if it was B's y that got dropped).
    served(b, [one], billing);
    const pendingHash = async () =>
      (await a.pinning.list()).pending.find((c) => c.upstream === 'billing')?.hash;
    await waitFor(async () => (await pendingHash()) === toolHash(x), 5_000, "A's change pending");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await pendingHash(), toolHash(x), 'and it stays');
    assert.ok((await changes()).length <= 3, 'no ping-pong');
  });

  it('logs a lost PostgreSQL once, keeps enforcing the last known pins, and logs its recovery', async () => {
    proxy.cut();
    await waitFor(() => !b.pinning.storeReachable, 5_000, 'B to notice');
    const lost = b.logs.filter((l) => l.msg.startsWith('tool pin store unreachable'));
    assert.deepEqual(
      lost.map((l) => [l.level, l.msg]),
      [[50, 'tool pin store unreachable; enforcing the last known pins until it answers again']],
    );
    assert.deepEqual(served(b, [third]), [changed.description], 'the pinned definition, not the new one');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(b.logs.filter((l) => l.msg.startsWith('tool pin store unreachable')).length, 1, 'once');

    proxy.restore();
    await waitFor(() => b.pinning.storeReachable, 10_000, 'B to recover');
    assert.ok(b.logs.some((l) => l.msg === 'tool pin store reachable again; pins re-read'));
    // What B could not store while cut off is stored once it is back.
    await waitFor(
      async () => (await a.pinning.list()).pending.some((c) => c.hash === toolHash(third)),
      5_000,
      "B's change stored after recovery",
    );
    assert.deepEqual(served(b, [third]), [changed.description], 'still held back until approved');
  });

  it('logs a PostgreSQL that hangs (neither answers nor fails) and carries on when it answers again', async () => {
    const before = b.logs.length;
    proxy.freeze();
    await waitFor(() => !b.pinning.storeReachable, 5_000, 'B to notice the hang');
    const logged = b.logs.slice(before).filter((l) => l.msg.startsWith('tool pin store unreachable'));
    assert.equal(logged.length, 1);
    assert.deepEqual(served(b, [third]), [changed.description], 'the last known pins, meanwhile');
    proxy.restore();
    await waitFor(() => b.pinning.storeReachable, 10_000, 'B to recover');
  });
});
