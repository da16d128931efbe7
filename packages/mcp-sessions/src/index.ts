export { BoundedEventStore, type BoundedEventStoreOptions } from './event-store.ts';
export { MemorySessionRecords, type SessionRecord, type SessionRecordStore } from './record-store.ts';
export { isClientAnswer, MemorySessionBus, type SessionBus, type SessionBusMessage } from './session-bus.ts';
export {
  type HandleOptions,
  type LiveSession,
  type OpenedSession,
  SessionManager,
  type SessionManagerOptions,
} from './session-manager.ts';
