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
 *
 * Done by copying the value with its keys in sorted order and letting JSON.stringify write the
 * copy: the engine's serializer is several times faster than building the text piece by piece,
 * and every audit record is serialized this way. A copy cannot hold an integer-like key ("7")
 * after a non-integer one, as JavaScript enumerates those first; a value with such a key is
 * written by the piecewise serializer below, which the tests hold the copy to.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value, '');
  if (sorted === INDEX_KEY) return piecewiseCanonicalJson(value);
  return JSON.stringify(sorted) ?? 'null';
}

/** canonicalJson written piece by piece (exported for the tests that compare the two). */
export function piecewiseCanonicalJson(value: unknown): string {
  return serialize(value, '') ?? 'null';
}

/** What JSON.stringify serializes for `value` under `key`: its `toJSON(key)` result when it has one. */
export function jsonValueOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value, key) : value;
}

/** Returned by sortedCopy when a key is one JavaScript would enumerate out of sorted order. */
const INDEX_KEY: unique symbol = Symbol('integer-like key');
const MAX_INDEX = 2 ** 32 - 2;

function isIndexKey(name: string): boolean {
  const first = name.charCodeAt(0);
  if (first < 48 || first > 57) return false; // the common case: not a digit
  return /^(?:0|[1-9]\d*)$/.test(name) && Number(name) <= MAX_INDEX;
}

/** What JSON leaves out of an object (and writes as null in an array). */
function droppedByJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * A copy of what JSON.stringify would serialize for `value`: `toJSON` applied, boxed primitives
 * unwrapped, members JSON drops left out, object keys in sorted order.
 */
function sortedCopy(value: unknown, key: string): unknown {
  const current = jsonValueOf(value, key);
  if (typeof current === 'bigint') throw new TypeError('canonicalJson: a BigInt has no JSON form');
  if (current === null || typeof current !== 'object') return current;
  if (Array.isArray(current)) return sortedArray(current);
  if (current instanceof Number || current instanceof String || current instanceof Boolean) {
    return sortedCopy(current.valueOf(), key);
  }
  return sortedObject(current as Record<string, unknown>);
}

function sortedArray(array: readonly unknown[]): unknown[] | typeof INDEX_KEY {
  const items: unknown[] = new Array(array.length);
  for (let i = 0; i < array.length; i++) {
    const item = sortedCopy(array[i], String(i));
    if (item === INDEX_KEY) return INDEX_KEY;
    items[i] = droppedByJson(item) ? null : item;
  }
  return items;
}

function sortedObject(object: Record<string, unknown>): Record<string, unknown> | typeof INDEX_KEY {
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(object).sort()) {
    if (isIndexKey(name)) return INDEX_KEY;
    const member = sortedCopy(object[name], name);
    if (member === INDEX_KEY) return INDEX_KEY;
    // What JSON leaves out stays out of the copy (so no copied `toJSON` function can run).
    if (droppedByJson(member)) continue;
    if (name === '__proto__') Object.defineProperty(copy, name, { value: member, enumerable: true });
    else copy[name] = member;
  }
  return copy;
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

const SORTED_EVENT_FIELDS = [...AUDIT_EVENT_FIELDS].sort();

/**
 * canonicalJson(eventOf(event)) without the intermediate copy and its sort: the event fields,
 * already in sorted order (none is integer-like), each copied as canonicalJson would.
 */
function eventJson(event: AuditEvent): string {
  const copy: Record<string, unknown> = {};
  for (const field of SORTED_EVENT_FIELDS) {
    const value = sortedCopy(event[field], field);
    if (value === INDEX_KEY) return piecewiseCanonicalJson(eventOf(event));
    if (!droppedByJson(value)) copy[field] = value;
  }
  return JSON.stringify(copy);
}

/**
 * SHA-256 (hex) over prevHash, the decimal seq and the canonical JSON of the event fields, in
 * that order. prevHash has a fixed length and the JSON starts with `{`, so the concatenation is
 * unambiguous.
 */
export function hashEvent(prevHash: string, seq: number, event: AuditEvent): string {
  return hashCanonical(prevHash, seq, eventJson(event));
}

function hashCanonical(prevHash: string, seq: number, json: string): string {
  return createHash('sha256').update(prevHash).update(String(seq)).update(json).digest('hex');
}

/** Canonical event JSON computed while chaining, kept for the store's event column. */
const chainedJson = new WeakMap<AuditEvent, string>();

/**
 * The canonical JSON of an event's fields, canonicalJson(eventOf(record)); a chained record's is
 * the one computed while chaining it.
 */
export function canonicalEventJson(record: AuditEvent): string {
  return chainedJson.get(record) ?? eventJson(record);
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
    const json = jsons?.[i] ?? eventJson(event);
    const hash = hashCanonical(prevHash, seq, json);
    const record: AuditRecord = { ...fields, seq, prevHash, hash };
    chainedJson.set(record, json);
    prevHash = hash;
    return record;
  });
}
