/**
 * In-memory event store for resumable 2025-era SSE streams (`Last-Event-ID`). Event ids encode
 * their stream, so a resume replays only that stream's events. Bounded per store.
 */
import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';

const SEPARATOR = '~';

export class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, { streamId: string; message: JSONRPCMessage }>();
  private seq = 0;
  private readonly limit: number;

  constructor(limit = 1000) {
    this.limit = limit;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}${SEPARATOR}${(++this.seq).toString(36).padStart(8, '0')}`;
    this.events.set(id, { streamId, message });
    if (this.events.size > this.limit) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    return id;
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
