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

/** The zod schema as a Standard Schema with portable JSON Schema and zod's own validation. */
export function portable<S extends z.ZodType>(schema: S): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  const standard = schema['~standard'];
  const { jsonSchema } = standard;
  return {
    '~standard': {
      ...standard,
      validate: (value: unknown) => standard.validate(value),
      jsonSchema: {
        input: (options) => portableJsonSchema(jsonSchema.input(options)),
        output: (options) => portableJsonSchema(jsonSchema.output(options)),
      },
    },
  } as StandardSchemaWithJSON<z.input<S>, z.output<S>>;
}
