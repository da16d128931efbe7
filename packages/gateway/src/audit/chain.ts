/**
 * The hash chain: each record's hash is SHA-256 over the previous record's hash, its sequence
 * number and the canonical JSON of its event fields, so changing, removing or reordering any
 * stored record breaks every link after it. Used by the audit log (to write) and verify (to check).
 */
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditRecord } from './event.ts';

/** The prevHash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Exactly the fields of AuditEvent — what the hash covers (not seq, prevHash or hash). */
export const AUDIT_EVENT_FIELDS = [
  'time',
  'requestId',
  'traceId',
  'principal',
  'transport',
  'era',
  'sessionId',
  'method',
  'target',
  'upstream',
  'arguments',
  'decision',
  'rule',
  'status',
  'errorCode',
  'errorMessage',
  'latencyMs',
  'resultBytes',
  'resultHash',
  'approvedBy',
] as const satisfies readonly (keyof AuditEvent)[];

// Fails to compile when AuditEvent gains a field that the list above does not name.
type MissingEventField = Exclude<keyof AuditEvent, (typeof AUDIT_EVENT_FIELDS)[number]>;
const allEventFieldsListed: [MissingEventField] extends [never] ? true : MissingEventField = true;
void allEventFieldsListed;

/** The event part of a record (or of any object carrying the event fields). */
export function eventOf(record: AuditEvent): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const field of AUDIT_EVENT_FIELDS) event[field] = record[field];
  return event as unknown as AuditEvent;
}

/**
 * JSON with object keys sorted (by UTF-16 code units), no whitespace. Otherwise it follows
 * JSON.stringify exactly — `toJSON`, dropped `undefined`/functions, `null` for non-finite numbers
 * — so a value hashes the same before it is stored and after it is read back.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '') ?? 'null';
}

/** What JSON.stringify serializes for `value` under `key`: its `toJSON(key)` result when it has one. */
export function jsonValueOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value, key) : value;
}

function serialize(value: unknown, key: string): string | undefined {
  const current = jsonValueOf(value, key);
  switch (typeof current) {
    case 'string':
      return JSON.stringify(current);
    case 'number':
      return Number.isFinite(current) ? JSON.stringify(current) : 'null';
    case 'boolean':
      return current ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a BigInt has no JSON form');
    case 'object':
      return current === null ? 'null' : serializeObject(current, key);
    default:
      return undefined;
  }
}

function serializeObject(value: object, key: string): string | undefined {
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => serialize(item, String(i)) ?? 'null').join(',')}]`;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return serialize(value.valueOf(), key);
  }
  const members: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const member = serialize((value as Record<string, unknown>)[name], name);
    if (member !== undefined) members.push(`${JSON.stringify(name)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * SHA-256 (hex) over prevHash, the decimal seq and the canonical JSON of the event fields, in
 * that order. prevHash has a fixed length and the JSON starts with `{`, so the concatenation is
 * unambiguous.
 */
export function hashEvent(prevHash: string, seq: number, event: AuditEvent): string {
  return hashCanonical(prevHash, seq, canonicalJson(eventOf(event)));
}

function hashCanonical(prevHash: string, seq: number, json: string): string {
  return createHash('sha256').update(prevHash).update(String(seq)).update(json).digest('hex');
}

/** Canonical event JSON computed while chaining, kept for the store's event column. */
const chainedJson = new WeakMap<AuditEvent, string>();

/** The canonical JSON of a record's event fields (computed once per chained record). */
export function canonicalEventJson(record: AuditEvent): string {
  return chainedJson.get(record) ?? canonicalJson(eventOf(record));
}

/**
 * Places events on the chain after `head`, in order. `jsons`, when given, holds each event's
 * canonical JSON already computed (the audit journal's lines), so it is not serialized again.
 */
export function chainRecords(
  head: ChainHead | null,
  events: readonly AuditEvent[],
  jsons?: readonly string[],
): AuditRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return events.map((event, i) => {
    seq += 1;
    const fields = eventOf(event);
    const json = jsons?.[i] ?? canonicalJson(fields);
    const hash = hashCanonical(prevHash, seq, json);
    const record: AuditRecord = { ...fields, seq, prevHash, hash };
    chainedJson.set(record, json);
    prevHash = hash;
    return record;
  });
}
