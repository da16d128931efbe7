/**
 * The 2025-era SSE event store keeps what resumption needs — a stream's recent events — and no
 * more: bounded by count and by age, replaying only the resumed stream's later events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { BoundedEventStore } from '../src/event-store.ts';

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { n },
});

async function replayAfter(store: BoundedEventStore, id: string): Promise<number[]> {
  const seen: number[] = [];
  await store.replayEventsAfter(id, {
    send: async (_id, message) => {
      seen.push((message as unknown as { params: { n: number } }).params.n);
    },
  });
  return seen;
}

describe('BoundedEventStore', () => {
  it("replays only the resumed stream's later events", async () => {
    const store = new BoundedEventStore();
    const a1 = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(2));
    await store.storeEvent('a', note(3));
    assert.deepEqual(await replayAfter(store, a1), [3]);
    assert.equal(await store.getStreamIdForEventId(a1), 'a');
  });

  it('skips priming events (they carry no message) when replaying', async () => {
    const store = new BoundedEventStore();
    const primed = await store.storeEvent('s', {} as JSONRPCMessage);
    await store.storeEvent('s', {} as JSONRPCMessage);
    await store.storeEvent('s', note(1));
    assert.deepEqual(await replayAfter(store, primed), [1]);
  });

  it('keeps at most `maxEvents` events, dropping the oldest', async () => {
    const store = new BoundedEventStore({ maxEvents: 3, maxAgeMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await store.storeEvent('s', note(i)));
    assert.deepEqual(await replayAfter(store, ids[3] as string), [4, 5]);
    // Events 1 and 2 are gone: resuming after event 0 replays only what is left.
    assert.deepEqual(await replayAfter(store, ids[0] as string), [3, 4, 5]);
  });

  it('drops events older than the age limit', async () => {
    const store = new BoundedEventStore({ maxEvents: 100, maxAgeMs: 20 });
    const first = await store.storeEvent('s', note(1));
    await store.storeEvent('s', note(2));
    await new Promise((r) => setTimeout(r, 40));
    const recent = await store.storeEvent('s', note(3));
    await store.storeEvent('s', note(4));
    assert.deepEqual(await replayAfter(store, first), [3, 4], 'event 2 aged out');
    assert.deepEqual(await replayAfter(store, recent), [4]);
  });

  it('knows no stream for a malformed event id, and refuses to replay after one', async () => {
    const store = new BoundedEventStore();
    assert.equal(await store.getStreamIdForEventId('no-separator'), undefined);
    assert.equal(await store.getStreamIdForEventId('s#x'), undefined);
    await assert.rejects(replayAfter(store, '#1'), /Unknown event id/);
  });
});
