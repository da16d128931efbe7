/**
 * Static payloads shared by the conformance server's tools, resources and prompts.
 *
 * The media payloads were generated for this project: a 2x2 RGB PNG and a 8-sample
 * 16-bit mono WAV (one sine period at 8 kHz). Only their MIME types matter to the suite.
 */

/** A 2x2 RGB PNG, base64-encoded. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGOQz9/yaSUDw6eVDPL5WwAo3gW76MzGegAAAABJRU5ErkJggg==';

/** A tiny PCM WAV file, base64-encoded. */
export const WAV_BASE64 = 'UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAABkWQB8ZFgAA5+nA4Ofp';

/** The JSON Schema 2020-12 dialect URI. */
export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Input schema of `json_schema_2020_12_tool`: exercises keyword preservation through
 * `tools/list` (SEP-1613: `$schema`, `$defs`, `$ref`, `additionalProperties`; SEP-2106:
 * `$anchor`, composition and conditional keywords).
 */
export const JSON_SCHEMA_2020_12_INPUT = {
  $schema: JSON_SCHEMA_2020_12,
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: {
        street: { type: 'string' },
        city: { type: 'string' },
      },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here, not a thenable.
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
} as const;

/** Logger name used on `notifications/message`. */
export const LOGGER_NAME = 'gatehouse-conformance-server';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
