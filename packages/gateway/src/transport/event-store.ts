/**
 * In-memory event store for resumable 2025-era SSE streams (`Last-Event-ID`). Event ids encode
 * their stream, so a resume replays only that stream's events.
 *
 * Bounded per store (one per session) by count and by age: resumption is for a client whose
 * connection dropped moments ago, and keeping every answer of a busy session for long would hold
 * megabytes per session and make the garbage collector trace them all.
 */
import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';

const SEPARATOR = '~';

export class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, { streamId: string; message: JSONRPCMessage; at: number }>();
  private seq = 0;
  private readonly limit: number;
  private readonly maxAgeMs: number;

  constructor(limit = 256, maxAgeMs = 30_000) {
    this.limit = limit;
    this.maxAgeMs = maxAgeMs;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}${SEPARATOR}${(++this.seq).toString(36).padStart(8, '0')}`;
    const now = Date.now();
    this.events.set(id, { streamId, message, at: now });
    this.prune(now);
    return id;
  }

  /** Drops the oldest events beyond the count limit or the age limit (insertion order is age order). */
  private prune(now: number): void {
    for (const [id, event] of this.events) {
      if (this.events.size <= this.limit && now - event.at <= this.maxAgeMs) return;
      this.events.delete(id);
    }
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const cut = eventId.lastIndexOf(SEPARATOR);
    return cut > 0 ? eventId.slice(0, cut) : undefined;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? '';
    let after = false;
    for (const [id, event] of this.events) {
      if (id === lastEventId) {
        after = true;
        continue;
      }
      if (after && event.streamId === streamId) await send(id, event.message);
    }
    return streamId;
  }
}
