/**
 * In-memory {@link EventStore} for 2025-era sessions, so a client that lost an SSE stream
 * can resume it with `GET` + `Last-Event-ID` (SEP-1699 polling, `test_reconnection`).
 *
 * Event IDs are `<streamId>#<sequence>`: globally unique, they name the stream they belong
 * to, and only that stream's later events are replayed. One store per session, bounded.
 */
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

interface StoredEvent {
  readonly streamId: StreamId;
  readonly sequence: number;
  readonly message: JSONRPCMessage;
}

const SEPARATOR = '#';

export class InMemoryEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private sequence = 0;
  private readonly maxEvents: number;

  /** @param maxEvents oldest events are dropped beyond this many. */
  constructor(maxEvents = 1000) {
    this.maxEvents = maxEvents;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.sequence += 1;
    const eventId = `${streamId}${SEPARATOR}${this.sequence}`;
    this.events.set(eventId, { streamId, sequence: this.sequence, message });
    while (this.events.size > this.maxEvents) {
      const oldest = this.events.keys().next();
      if (oldest.done === true) break;
      this.events.delete(oldest.value);
    }
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId ?? parseEventId(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.events.get(lastEventId) ?? parseEventId(lastEventId);
    if (last === undefined) throw new Error(`Unknown event id: ${lastEventId}`);
    // Map iteration order is insertion order, i.e. increasing sequence numbers.
    for (const [eventId, event] of this.events) {
      if (event.streamId !== last.streamId || event.sequence <= last.sequence) continue;
      // Priming events carry no JSON-RPC message; nothing to replay for them.
      if (!('jsonrpc' in event.message)) continue;
      await send(eventId, event.message);
    }
    return last.streamId;
  }
}

function parseEventId(eventId: EventId): { streamId: StreamId; sequence: number } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const sequence = Number(eventId.slice(at + 1));
  return Number.isSafeInteger(sequence) ? { streamId: eventId.slice(0, at), sequence } : undefined;
}
