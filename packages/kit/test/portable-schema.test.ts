/**
 * The kit's portable JSON Schema: what zod writes for nullable primitives and open records is
 * rewritten to spellings every client accepts, and a kit server still validates with zod.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { defineServer, defineTool } from '../src/index.ts';
import { portableJsonSchema } from '../src/portable-schema.ts';
import { testClient } from '../src/testing.ts';

describe('portableJsonSchema', () => {
  it('writes a type array as anyOf, each keyword in the branch of its type, annotations beside', () => {
    assert.deepEqual(
      portableJsonSchema({
        type: ['string', 'null'],
        minLength: 1,
        description: 'The owner',
        default: null,
      }),
      {
        description: 'The owner',
        default: null,
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
      },
    );
    assert.deepEqual(portableJsonSchema({ type: ['integer', 'null'], minimum: 0, enum: [1, 2, null] }), {
      anyOf: [
        { type: 'integer', minimum: 0, enum: [1, 2] },
        { type: 'null', enum: [null] },
      ],
    });
  });

  it('drops empty schemas that mean the same as no keyword, at any depth', () => {
    assert.deepEqual(
      portableJsonSchema({
        type: 'object',
        properties: {
          deal: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} },
          list: { type: 'array', items: { type: ['number', 'null'] } },
        },
      }),
      {
        type: 'object',
        properties: {
          deal: { type: 'object', propertyNames: { type: 'string' } },
          list: { type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'null' }] } },
        },
      },
    );
  });

  it('leaves a property literally named like a keyword alone', () => {
    const schema = { type: 'object', properties: { items: { type: 'string' }, type: { type: 'string' } } };
    assert.deepEqual(portableJsonSchema(schema), schema);
  });
});

describe('a kit tool with nullable and open fields', () => {
  const server = defineServer({
    name: 'portable',
    version: '0.0.0',
    tools: [
      defineTool({
        name: 'owner',
        description: 'Who owns a record',
        input: z.object({ id: z.string().min(1), tier: z.string().nullable().default(null) }),
        output: z.object({ owner: z.string().nullable(), extra: z.record(z.string(), z.unknown()) }),
        handler: async ({ id, tier }) => ({ owner: id === 'none' ? null : `${id}:${tier}`, extra: { a: 1 } }),
      }),
    ],
  });

  it('lists anyOf instead of type arrays and no empty additionalProperties', async () => {
    const t = await testClient(server);
    try {
      const tool = (await t.client.listTools()).tools.find((x) => x.name === 'owner');
      const text = JSON.stringify(tool);
      assert.doesNotMatch(text, /"type":\[/, text);
      assert.doesNotMatch(text, /"additionalProperties":\{\}/, text);
      assert.deepEqual(tool?.inputSchema.properties?.tier, {
        default: null,
        anyOf: [{ type: 'string' }, { type: 'null' }],
      });
    } finally {
      await t.close();
    }
  });

  it('takes an integer id sent where a string is declared as its text (a direct client, no gateway)', async () => {
    const t = await testClient(server);
    try {
      const taken = await t.call('owner', { id: 9100516026 });
      assert.equal(taken.isError, false, taken.text);
      assert.deepEqual(taken.structured, { owner: '9100516026:null', extra: { a: 1 } });
      const fraction = await t.call('owner', { id: 1.5 });
      assert.equal(fraction.isError, true, 'a fraction is not an id: refused as before');
      assert.match(fraction.text, /Invalid arguments for tool owner: id: /);
    } finally {
      await t.close();
    }
  });

  it('still validates with zod: defaults applied, bad input refused', async () => {
    const t = await testClient(server);
    try {
      assert.deepEqual((await t.call('owner', { id: 'ann' })).structured, {
        owner: 'ann:null',
        extra: { a: 1 },
      });
      const refused = await t.call('owner', { id: '' });
      assert.equal(refused.isError, true);
      assert.match(refused.text, /id/);
    } finally {
      await t.close();
    }
  });
});
