/**
 * Tool schemas every major client accepts. zod writes JSON Schema 2020-12 as the spec allows, but
 * two of its spellings are not portable, and the MCP Inspector (2.12) warns about both:
 *
 * - a nullable primitive as a type array, `{"type": ["string", "null"]}`: clients that map tool
 *   schemas onto a single-`type` dialect (the OpenAPI subset of Gemini function declarations) reject
 *   the tool or drop the constraint. It is written `{"anyOf": [{"type": "string"}, {"type": "null"}]}`
 *   instead, each keyword in the branch of the type it constrains, annotations (description,
 *   default…) beside the `anyOf`.
 * - an empty schema where "anything" is the default anyway, `"additionalProperties": {}` (a
 *   `z.record(z.string(), z.unknown())`): it constrains nothing and reads as a bare `true`. It is
 *   left out, which means exactly the same.
 *
 * `portable(schema)` wraps a zod schema as a Standard Schema whose JSON Schema is rewritten so, and
 * whose validation is zod's own: what a handler receives does not change.
 *
 * `portableInput(schema)` also takes the one lenient coercion the gateway applies (see the
 * gateway's relay/caller-terms.ts), so a client talking to a domain server directly gets the same
 * answer: an integer sent where a top-level argument is declared a string (`"type": "string"`, or
 * string-or-null) is taken as its decimal text. Clients that guess JSON types from text, like the
 * MCP Inspector CLI's `--tool-arg dealId=1234`, send ids as numbers. Only safe integers: a fraction
 * or an integer past 2^53 has already lost digits and is refused as before.
 */
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type * as z from 'zod';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keywords that only constrain values of one JSON type (they are ignored for the others). */
const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  string: [
    'minLength',
    'maxLength',
    'pattern',
    'format',
    'contentEncoding',
    'contentMediaType',
    'contentSchema',
  ],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: [
    'items',
    'prefixItems',
    'contains',
    'minContains',
    'maxContains',
    'minItems',
    'maxItems',
    'uniqueItems',
    'unevaluatedItems',
  ],
  object: [
    'properties',
    'patternProperties',
    'additionalProperties',
    'unevaluatedProperties',
    'propertyNames',
    'required',
    'minProperties',
    'maxProperties',
    'dependentRequired',
    'dependentSchemas',
  ],
};
const TYPED = new Set(Object.values(TYPE_KEYWORDS).flat());

/** Keywords whose empty schema `{}` means the same as leaving the keyword out. */
const EMPTY_MEANS_ABSENT = ['additionalProperties', 'unevaluatedProperties', 'items', 'unevaluatedItems'];

/** Keywords holding one subschema, a list of them, or a map of them. */
const ONE = ['items', 'contains', 'not', 'propertyNames', 'if', 'then', 'else', 'contentSchema'];
const ONE_OR_EMPTY = ['additionalProperties', 'unevaluatedProperties', 'unevaluatedItems'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function admits(type: string, value: unknown): boolean {
  const actual = jsonType(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** `{"type": [a, b], …}` as `{"anyOf": [{"type": a, …}, {"type": b, …}]}`, keywords by branch. */
function splitTypeUnion(node: Json, types: string[]): Json {
  const shared: Json = {};
  const typed: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type') continue;
    if (TYPED.has(key) || key === 'enum' || key === 'const') typed[key] = value;
    else shared[key] = value;
  }
  const branches = types.map((type) => {
    const branch: Json = { type };
    for (const key of TYPE_KEYWORDS[type] ?? []) if (key in typed) branch[key] = typed[key];
    if (Array.isArray(typed.enum)) branch.enum = typed.enum.filter((v) => admits(type, v));
    if ('const' in typed && admits(type, typed.const)) branch.const = typed.const;
    return branch;
  });
  // A type whose enum kept no value admits nothing: its branch goes.
  const live = branches.filter((b) => !Array.isArray(b.enum) || b.enum.length > 0);
  return { ...shared, anyOf: live };
}

/** The JSON Schema rewritten to its portable spelling (a fresh copy; the input is not changed). */
export function portableJsonSchema(schema: Json): Json {
  return rewrite(schema) as Json;
}

function rewrite(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (EMPTY_MEANS_ABSENT.includes(key) && isRecord(value) && Object.keys(value).length === 0) continue;
    if (ONE.includes(key) || ONE_OR_EMPTY.includes(key)) out[key] = rewrite(value);
    else if (LIST.includes(key) && Array.isArray(value)) out[key] = value.map(rewrite);
    else if (MAP.includes(key) && isRecord(value))
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, rewrite(sub)]));
    else out[key] = value;
  }
  const { type } = out;
  if (Array.isArray(type) && !('anyOf' in out) && type.every((t) => typeof t === 'string')) {
    return type.length === 1 ? { ...out, type: type[0] } : splitTypeUnion(out, type as string[]);
  }
  return out;
}

/** True when a property schema admits strings (and null at most), never numbers. */
function declaresString(schema: unknown): boolean {
  if (!isRecord(schema)) return false;
  if (schema.type === 'string') return true;
  const branches = schema.anyOf;
  if (schema.type !== undefined || !Array.isArray(branches)) return false;
  const types = branches.map((b) => (isRecord(b) ? b.type : undefined));
  return types.includes('string') && types.every((t) => t === 'string' || t === 'null');
}

/** Arguments with each safe integer sent for a declared string replaced by its decimal text. */
export function coerceIdArguments(args: unknown, inputSchema: Json): unknown {
  const properties = inputSchema.properties;
  if (!isRecord(args) || !isRecord(properties)) return args;
  let coerced: Json | undefined;
  for (const [name, value] of Object.entries(args)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) continue;
    if (!Object.hasOwn(properties, name) || !declaresString(properties[name])) continue;
    coerced ??= { ...args };
    coerced[name] = String(value);
  }
  return coerced ?? args;
}

type Wrapped<S extends z.ZodType> = StandardSchemaWithJSON<z.input<S>, z.output<S>>;

/** One wrapper per zod schema and kind: servers are built per session or request, schemas once. */
const wrappers = { input: new WeakMap<z.ZodType, unknown>(), output: new WeakMap<z.ZodType, unknown>() };

/** The zod schema as a Standard Schema with portable JSON Schema and zod's own validation. */
export function portable<S extends z.ZodType>(schema: S): Wrapped<S> {
  const cached = wrappers.output.get(schema);
  if (cached !== undefined) return cached as Wrapped<S>;
  const wrapped = wrap(schema, (value) => value);
  wrappers.output.set(schema, wrapped);
  return wrapped;
}

/** A tool's input schema: portable, and taking integer ids where strings are declared. */
export function portableInput<S extends z.ZodType>(schema: S): Wrapped<S> {
  const cached = wrappers.input.get(schema);
  if (cached !== undefined) return cached as Wrapped<S>;
  let declared: Json | undefined;
  const wrapped = wrap(schema, (value) => {
    declared ??= portableJsonSchema(schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' }));
    return coerceIdArguments(value, declared);
  });
  wrappers.input.set(schema, wrapped);
  return wrapped;
}

function wrap<S extends z.ZodType>(schema: S, prepare: (value: unknown) => unknown): Wrapped<S> {
  const standard = schema['~standard'];
  const { jsonSchema } = standard;
  const converted = new Map<string, Json>();
  const convert = (io: 'input' | 'output', options: { target: string }): Json => {
    const key = `${io}:${options.target}`;
    let json = converted.get(key);
    if (json === undefined) {
      json = portableJsonSchema(jsonSchema[io](options as Parameters<typeof jsonSchema.input>[0]));
      converted.set(key, json);
    }
    return structuredClone(json);
  };
  return {
    '~standard': {
      ...standard,
      validate: (value: unknown) => standard.validate(prepare(value)),
      jsonSchema: {
        input: (options) => convert('input', options),
        output: (options) => convert('output', options),
      },
    },
  } as Wrapped<S>;
}
