/**
 * In-memory event store for resumable 2025-era SSE streams (`Last-Event-ID`), one per session.
 *
 * Event ids are `<streamId>#<sequence>`: they name their stream, so a resume replays only that
 * stream's later events, and they carry their position, so a resume after an event that was
 * already dropped still replays what is left after it.
 *
 * Bounded by count and by age: resumption is for a client whose connection dropped moments ago,
 * and keeping every answer of a busy session for long would hold megabytes per session and make
 * the garbage collector trace them all.
 */
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

export interface BoundedEventStoreOptions {
  /** Oldest events are dropped beyond this many (default 256). */
  maxEvents?: number;
  /** Events older than this are dropped (default 30 s). */
  maxAgeMs?: number;
}

interface StoredEvent {
  readonly streamId: StreamId;
  readonly sequence: number;
  readonly message: JSONRPCMessage;
  readonly at: number;
}

const SEPARATOR = '#';

export class BoundedEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private sequence = 0;
  private readonly maxEvents: number;
  private readonly maxAgeMs: number;

  constructor(options: BoundedEventStoreOptions = {}) {
    this.maxEvents = options.maxEvents ?? 256;
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const sequence = ++this.sequence;
    const eventId = `${streamId}${SEPARATOR}${sequence}`;
    const now = Date.now();
    this.events.set(eventId, { streamId, sequence, message, at: now });
    this.prune(now);
    return eventId;
  }

  /** Drops the oldest events beyond the count or the age limit (insertion order is age order). */
  private prune(now: number): void {
    for (const [eventId, event] of this.events) {
      if (this.events.size <= this.maxEvents && now - event.at <= this.maxAgeMs) return;
      this.events.delete(eventId);
    }
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return parseEventId(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = parseEventId(lastEventId);
    if (last === undefined) throw new Error(`Unknown event id: ${lastEventId}`);
    for (const [eventId, event] of this.events) {
      if (event.streamId !== last.streamId || event.sequence <= last.sequence) continue;
      // Priming events carry no JSON-RPC message: nothing to replay for them.
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
  return Number.isSafeInteger(sequence) && sequence > 0
    ? { streamId: eventId.slice(0, at), sequence }
    : undefined;
}
