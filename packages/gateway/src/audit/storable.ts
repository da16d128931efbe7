/** Audit events as plain, storable JSON data (see `storable`). */
import { jsonValueOf } from './chain.ts';
import { storableText } from './redact.ts';

/**
 * The value as plain JSON data with every string value storable (see storableText), deeply: what
 * a JSON.stringify/JSON.parse round trip with a string-fixing replacer gives (`toJSON` applied,
 * `undefined` and functions dropped from objects and nulled in arrays, non-finite numbers null;
 * keys are left alone), without the round trip's text, which cost a sixth of an event's write.
 */
export function storable(value: unknown, key = ''): unknown {
  const current = jsonValueOf(value, key);
  switch (typeof current) {
    case 'string':
      return storableText(current);
    case 'number':
      // JSON has no -0 (it reads back as 0) and no NaN or Infinity (null).
      return Number.isFinite(current) ? current + 0 : null;
    case 'boolean':
      return current;
    case 'bigint':
      throw new TypeError('an audit event cannot hold a BigInt');
    case 'object':
      return current === null ? null : storableObject(current);
    default:
      return undefined;
  }
}

function storableObject(value: object): unknown {
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return storable(value.valueOf());
  if (Array.isArray(value)) return value.map((item, i) => storable(item, String(i)) ?? null);
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    const item = storable((value as Record<string, unknown>)[name], name);
    if (item === undefined) continue;
    if (name === '__proto__')
      Object.defineProperty(copy, name, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[name] = item;
  }
  return copy;
}
