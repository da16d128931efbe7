/**
 * Response shaping, the pure parts: shapeValue() step by step, and shapeSchema() checked against
 * the shaped values (and every page of a token budget) with a real JSON Schema validator (the
 * SDK's Ajv).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import { z } from 'zod';
import type { ShapingRuleModel } from '../src/config/model-shaping.ts';
import { normalizeShaping } from '../src/config/normalize-shaping.ts';
import { ShapingSchema } from '../src/config/schema-shaping.ts';
import { firstPage, nextPage } from '../src/shaping/budget.ts';
import { shapeSchema } from '../src/shaping/json-schema.ts';
import { shapeValue, truncateString } from '../src/shaping/value.ts';

/** A compiled rule from what a user would write. */
function rule(input: Record<string, unknown>): ShapingRuleModel {
  const [compiled] = normalizeShaping(ShapingSchema.parse([{ tools: ['*'], ...input }]));
  assert.ok(compiled);
  return compiled;
}

const validator = new AjvJsonSchemaValidator();

function assertValid(schema: Record<string, unknown>, value: unknown): void {
  const result = validator.getValidator(schema as never)(value);
  assert.ok(result.valid, `${result.errorMessage}\nvalue: ${JSON.stringify(value).slice(0, 400)}`);
}

const Ticket = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(['open', 'closed']),
  tags: z.array(z.string()).min(1),
});
const Deal = z.object({
  id: z.string(),
  name: z.string(),
  amount: z.number(),
  owner: z.object({ name: z.string(), email: z.string().email() }).nullable(),
  properties: z.object({ hs_a: z.string(), hs_b: z.string(), other: z.string() }),
  custom: z.record(z.string(), z.object({ label: z.string(), value: z.string() })),
  tickets: z.array(Ticket).min(2),
  notes: z.string().optional(),
});
const DEAL_SCHEMA = z.toJSONSchema(Deal, { io: 'output' }) as Record<string, unknown>;

function sampleDeal(tickets = 6): z.infer<typeof Deal> {
  return {
    id: 'D-1',
    name: 'Acme renewal',
    amount: 1000,
    owner: { name: 'Dana', email: 'dana@example.com' },
    properties: { hs_a: 'alpha', hs_b: 'beta', other: 'x'.repeat(50) },
    custom: { region: { label: 'Region', value: 'emea' }, tier: { label: 'Tier', value: 'gold' } },
    tickets: Array.from({ length: tickets }, (_, i) => ({
      id: `T${i}`,
      subject: `Subject number ${i} is rather long`,
      status: i % 2 === 0 ? 'open' : 'closed',
      tags: ['a', 'b', 'c'],
    })),
    notes: '😀'.repeat(30),
  };
}

describe('shapeValue', () => {
  it('picks paths, with globs and [] elements, keeping only what leads to them', () => {
    const out = shapeValue(
      sampleDeal(2),
      rule({ pick: ['id', 'owner.name', 'properties.hs_*', 'tickets[].id', 'missing.deep'] }),
    );
    assert.deepEqual(out.value, {
      id: 'D-1',
      owner: { name: 'Dana' },
      properties: { hs_a: 'alpha', hs_b: 'beta' },
      tickets: [{ id: 'T0' }, { id: 'T1' }],
    });
    assert.deepEqual(out.dropped, {});
    assert.equal(out.truncated, 0);
  });

  it('keeps a null or scalar where a path wanted to go deeper, and empties a container it cannot enter', () => {
    const deal = { ...sampleDeal(1), owner: null };
    assert.deepEqual(shapeValue(deal, rule({ pick: ['owner.name', 'tickets.id'] })).value, {
      owner: null,
      tickets: [],
    });
  });

  it('omits, then renames using the old names, without touching the input', () => {
    const input = sampleDeal(2);
    const before = JSON.stringify(input);
    const out = shapeValue(
      input,
      rule({
        omit: ['notes', 'custom.*.label', 'tickets[].tags', 'properties.other'],
        rename: { 'owner.email': 'mail', 'tickets[].subject': 'title', name: 'id', id: 'deal_id' },
      }),
    ).value as Record<string, unknown>;
    assert.equal(JSON.stringify(input), before, 'the input is not modified');
    assert.deepEqual(Object.keys(out), [
      'deal_id',
      'id',
      'amount',
      'owner',
      'properties',
      'custom',
      'tickets',
    ]);
    assert.equal(out.id, 'Acme renewal', 'a renamed key replaces the one it is renamed to');
    assert.deepEqual(out.owner, { name: 'Dana', mail: 'dana@example.com' });
    assert.deepEqual(out.custom, { region: { value: 'emea' }, tier: { value: 'gold' } });
    assert.deepEqual((out.tickets as unknown[])[0], {
      id: 'T0',
      title: 'Subject number 0 is rather long',
      status: 'open',
    });
  });

  it('truncates every string, or only those under the paths, counting them', () => {
    const all = shapeValue(sampleDeal(2), rule({ truncate: { maxChars: 10 } }));
    const deal = all.value as ReturnType<typeof sampleDeal>;
    assert.equal(deal.properties.other, `${'x'.repeat(9)}…`);
    assert.equal(deal.tickets[0]?.subject, 'Subject n…');
    assert.equal(deal.notes, `${'😀'.repeat(9)}…`, 'cut by code points, never inside a pair');
    assert.equal(deal.id, 'D-1');
    assert.equal(all.truncated, 6);
    const some = shapeValue(sampleDeal(2), rule({ truncate: { maxChars: 10, paths: ['tickets'] } }));
    assert.equal(some.truncated, 2);
    assert.equal((some.value as ReturnType<typeof sampleDeal>).properties.other.length, 50);
  });

  it('caps arrays, per path over the global cap, and reports each drop by location', () => {
    const value = { tickets: sampleDeal(6).tickets, groups: [{ items: [1, 2, 3, 4] }, { items: [5, 6] }] };
    const out = shapeValue(value, rule({ maxItems: 3, arrays: { tickets: 2, 'groups[].items': 1 } }));
    const shaped = out.value as typeof value;
    assert.equal(shaped.tickets.length, 2);
    assert.deepEqual(shaped.groups, [{ items: [1] }, { items: [5] }]);
    assert.equal(shaped.tickets[0]?.tags.length, 3, 'the global cap applies inside');
    assert.deepEqual(out.dropped, { tickets: 4, 'groups[0].items': 3, 'groups[1].items': 1 });
    const global = shapeValue(value, rule({ maxItems: 2 }));
    assert.deepEqual(global.dropped, {
      tickets: 4,
      'tickets[0].tags': 1,
      'tickets[1].tags': 1,
      'groups[0].items': 2,
    });
  });

  it('runs the steps in order: cap and truncate paths use the renamed keys', () => {
    const out = shapeValue(
      sampleDeal(4),
      rule({
        pick: ['tickets[].subject'],
        rename: { tickets: 'cases' },
        truncate: { maxChars: 5, paths: ['cases'] },
        arrays: { cases: 1 },
      }),
    );
    assert.deepEqual(out.value, { cases: [{ subject: 'Subj…' }] });
    assert.deepEqual(out.dropped, { cases: 3 });
    assert.equal(out.truncated, 1, 'only strings that are returned are counted');
  });

  it('cuts strings to the limit exactly', () => {
    assert.equal(truncateString('abcdef', 6), undefined);
    assert.equal(truncateString('abcdefg', 6), 'abcde…');
    assert.equal(truncateString('abc', 1), 'a');
    assert.equal(truncateString('a😀b', 3), undefined, 'three code points fit in three');
    assert.equal(truncateString('😀😀😀😀', 3), '😀😀…');
  });
});

describe('shapeSchema describes what shapeValue returns', () => {
  const rules: Record<string, Record<string, unknown>> = {
    pick: { pick: ['id', 'owner.name', 'properties.hs_*', 'custom.*.value', 'tickets[].subject'] },
    omit: { omit: ['notes', 'owner.email', 'tickets[].tags', 'custom.*.label'] },
    rename: {
      rename: {
        'owner.email': 'mail',
        'tickets[].subject': 'title',
        name: 'id',
        id: 'deal_id',
        'custom.*.value': 'v',
      },
    },
    truncate: { truncate: { maxChars: 4 } },
    'truncate paths': { truncate: { maxChars: 3, paths: ['tickets[].status', 'owner'] } },
    cap: { maxItems: 1 },
    'cap per path': { arrays: { tickets: 1, 'tickets[].tags': 2 } },
    budget: { tokenBudget: 10 },
    everything: {
      pick: ['id', 'name', 'owner', 'tickets', 'custom'],
      omit: ['tickets[].tags'],
      rename: { 'tickets[].subject': 'title', name: 'deal' },
      truncate: { maxChars: 6 },
      maxItems: 1,
      tokenBudget: 20,
    },
  };
  for (const [name, input] of Object.entries(rules)) {
    it(`${name}: every shaped value (and every page) validates`, () => {
      const r = rule(input);
      const schema = shapeSchema(DEAL_SCHEMA, r);
      for (const deal of [sampleDeal(3), { ...sampleDeal(2), owner: null }]) {
        assertValid(DEAL_SCHEMA, deal);
        const shaped = shapeValue(deal, r).value;
        assertValid(schema, shaped);
        if (r.tokenBudget === null) continue;
        const first = firstPage(shaped, JSON.stringify(shaped), r.tokenBudget);
        assertValid(schema, first.page.value);
        let offsets = first.page.next;
        while (first.paging !== null && offsets !== null) {
          const page = nextPage(first.paging, offsets);
          assertValid(schema, page.value);
          offsets = page.next;
        }
      }
    });
  }

  it('adjusts required, notes maxLength and maxItems, and leaves the upstream schema alone', () => {
    const before = JSON.stringify(DEAL_SCHEMA);
    const schema = shapeSchema(
      DEAL_SCHEMA,
      rule({
        pick: ['id', 'notes', 'tickets'],
        rename: { id: 'deal_id' },
        truncate: { maxChars: 8 },
        maxItems: 5,
      }),
    ) as { properties: Record<string, Record<string, unknown>>; required: string[] };
    assert.equal(JSON.stringify(DEAL_SCHEMA), before);
    assert.deepEqual(Object.keys(schema.properties).sort(), ['deal_id', 'notes', 'tickets']);
    assert.deepEqual([...schema.required].sort(), ['deal_id', 'tickets']);
    assert.equal(schema.properties.deal_id?.maxLength, 8);
    assert.equal(schema.properties.tickets?.maxItems, 5);
    assert.equal(schema.properties.tickets?.minItems, 2, 'a cap above minItems keeps it');
    const paged = shapeSchema(DEAL_SCHEMA, rule({ tokenBudget: 100 })) as typeof schema;
    assert.equal(paged.properties.tickets?.minItems, undefined, 'a paged array may be empty on later pages');
  });

  it('follows local $refs and widens what it cannot follow', () => {
    const withRefs = {
      type: 'object',
      $defs: {
        person: {
          type: 'object',
          properties: { name: { type: 'string' }, ssn: { type: 'string' } },
          required: ['name', 'ssn'],
          additionalProperties: false,
        },
      },
      properties: { owner: { $ref: '#/$defs/person' }, remote: { $ref: 'https://example.com/x.json' } },
      required: ['owner'],
      additionalProperties: false,
    };
    const r = rule({ omit: ['owner.ssn'] });
    const schema = shapeSchema(withRefs, r);
    assert.ok(!JSON.stringify(schema).includes('$ref'));
    const shaped = shapeValue({ owner: { name: 'a', ssn: '1' }, remote: 5 }, r).value;
    assertValid(schema, shaped);
    assert.deepEqual(shaped, { owner: { name: 'a' }, remote: 5 });
  });
});
