/**
 * The 2025-era SSE event store keeps what resumption needs — a stream's recent events — and no
 * more: bounded by count and by age, replaying only the resumed stream's events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { MemoryEventStore } from '../src/transport/event-store.ts';

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { n },
});

async function replayAfter(store: MemoryEventStore, id: string): Promise<number[]> {
  const seen: number[] = [];
  await store.replayEventsAfter(id, {
    send: async (_id, message) => {
      seen.push((message as unknown as { params: { n: number } }).params.n);
    },
  });
  return seen;
}

describe('MemoryEventStore', () => {
  it("replays only the resumed stream's later events", async () => {
    const store = new MemoryEventStore();
    const a1 = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(2));
    await store.storeEvent('a', note(3));
    assert.deepEqual(await replayAfter(store, a1), [3]);
    assert.equal(await store.getStreamIdForEventId(a1), 'a');
  });

  it('keeps at most `limit` events, dropping the oldest', async () => {
    const store = new MemoryEventStore(3, 60_000);
    const first = await store.storeEvent('s', note(0));
    const ids = [first];
    for (let i = 1; i < 6; i++) ids.push(await store.storeEvent('s', note(i)));
    // The first events are gone: resuming after the oldest kept one replays the rest.
    assert.deepEqual(await replayAfter(store, ids[3] as string), [4, 5]);
    assert.deepEqual(await replayAfter(store, first), []);
  });

  it('drops events older than the age limit', async () => {
    const store = new MemoryEventStore(100, 20);
    const old = await store.storeEvent('s', note(1));
    await new Promise((r) => setTimeout(r, 40));
    const recent = await store.storeEvent('s', note(2));
    await store.storeEvent('s', note(3));
    assert.deepEqual(await replayAfter(store, old), [], 'the old event is gone, so nothing follows it');
    assert.deepEqual(await replayAfter(store, recent), [3]);
  });
});
