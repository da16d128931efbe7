/** The tool index (@gatehouse/tool-search): what it ranks, how it splits names, its bounds and its speed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaText } from '../src/schema-text.ts';
import { searchTerms, toolNameWords } from '../src/terms.ts';
import { buildToolIndex, type SearchableTool } from '../src/tool-index.ts';

const CATALOG: SearchableTool[] = [
  {
    name: 'customer_get_customer_profile',
    description: 'Everything known about one account: owner, plan, health and open tickets.',
    inputSchema: {
      type: 'object',
      properties: { company: { type: 'string', description: 'Company name or web domain' } },
    },
  },
  {
    name: 'wallet.transferFunds',
    description: 'Move money from one ledger to another.',
    inputSchema: {
      type: 'object',
      properties: {
        amount: { type: 'number' },
        fromAccount: { type: 'string' },
        toAccount: { type: 'string' },
      },
    },
  },
  {
    name: 'weather__get_forecast',
    description: 'Hourly outlook for the next days.',
    inputSchema: {
      type: 'object',
      properties: { city: { type: 'string', description: 'Where, e.g. Paris' } },
    },
  },
  { name: 'ops/restartService', description: 'Restart a deployment.', inputSchema: { type: 'object' } },
];

describe('search terms', () => {
  it('splits tool names at snake_case, camelCase, digits and namespace separators', () => {
    assert.deepEqual(toolNameWords('customer_get_customer_profile'), [
      'customer',
      'get',
      'customer',
      'profile',
    ]);
    assert.deepEqual(toolNameWords('wallet.transferFunds'), ['wallet', 'transfer', 'funds']);
    assert.deepEqual(toolNameWords('ops/getHTTPStatus2'), ['ops', 'get', 'http', 'status', '2']);
    assert.deepEqual(toolNameWords('github__list-issues'), ['github', 'list', 'issues']);
  });

  it('drops function words from a question, keeps the words that name things', () => {
    assert.deepEqual(searchTerms('What is the weather in Paris?'), ['weather', 'paris']);
  });
});

describe('the schema walk', () => {
  it('collects parameter names and descriptions, nested ones too', () => {
    const text = schemaText({
      type: 'object',
      properties: {
        filter: {
          type: 'object',
          description: 'Which rows',
          properties: { since: { type: 'string', description: 'ISO date' } },
        },
        tags: { type: 'array', items: { type: 'string', enum: ['urgent', 'later'] } },
      },
    });
    assert.deepEqual(text.names, ['filter', 'since', 'tags']);
    assert.deepEqual(text.descriptions, ['Which rows', 'ISO date', 'urgent', 'later']);
  });

  it('stops at its depth and size bounds on a hostile schema', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 1_000; i += 1) deep = { type: 'object', properties: { [`level${i}`]: deep } };
    const wide = {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 5_000 }, (_, i) => [`p${i}`, { type: 'string', description: 'x'.repeat(100) }]),
      ),
    };
    assert.ok(schemaText(deep).names.length <= 5);
    const text = schemaText(wide);
    assert.ok(text.names.length <= 200);
    assert.ok(text.descriptions.join('').length <= 4_000);
  });
});

describe('buildToolIndex', () => {
  const index = buildToolIndex(CATALOG);
  const top = (query: string): string | undefined => index.search(query, 3)[0]?.name;

  it('finds a tool by words of its name, description and parameters', () => {
    assert.equal(top('customer profile'), 'customer_get_customer_profile');
    assert.equal(top('transfer money'), 'wallet.transferFunds');
    assert.equal(top('forecast for a city'), 'weather__get_forecast');
    assert.equal(top('which company, by web domain'), 'customer_get_customer_profile');
    assert.equal(top('restart'), 'ops/restartService');
  });

  it('ranks a tool by its title too', () => {
    const titled = buildToolIndex([
      ...CATALOG,
      { name: 'fs_tree', title: 'Directory listing', description: 'Nested entries as JSON.' },
    ]);
    assert.equal(titled.search('directory listing', 1)[0]?.name, 'fs_tree');
    assert.deepEqual(index.search('directory listing', 3), []);
  });

  it('matches word prefixes and forgives a typo in a long word', () => {
    assert.equal(top('restar'), 'ops/restartService');
    assert.equal(top('forcast'), 'weather__get_forecast');
  });

  it('answers best first, at most `limit`, and nothing for a question with no searchable word', () => {
    const hits = index.search('customer account money', 2);
    assert.equal(hits.length, 2);
    assert.ok((hits[0]?.score ?? 0) >= (hits[1]?.score ?? 0));
    assert.deepEqual(index.search('what is the', 5), []);
    assert.deepEqual(index.search('', 5), []);
    assert.deepEqual(index.search('customer', 0), []);
  });

  it('ranks only the tools the filter admits', () => {
    const hits = index.search('customer profile transfer', 5, {
      filter: (name) => name !== 'customer_get_customer_profile',
    });
    assert.deepEqual(
      hits.map((hit) => hit.name),
      ['wallet.transferFunds'],
    );
  });

  it('searches 1,000 tools in a few milliseconds (p50 ≤ 5 ms)', () => {
    const verbs = ['get', 'list', 'create', 'update', 'delete', 'search', 'export', 'sync'];
    const nouns = [
      'invoice',
      'customer',
      'ticket',
      'deployment',
      'forecast',
      'payment',
      'repository',
      'alert',
    ];
    const tools: SearchableTool[] = Array.from({ length: 1_000 }, (_, i) => {
      const verb = verbs[i % verbs.length] ?? 'get';
      const noun = nouns[Math.floor(i / verbs.length) % nouns.length] ?? 'item';
      return {
        name: `server${i % 37}_${verb}_${noun}_${i}`,
        description: `${verb} ${noun} records for team ${i % 13} with optional filters and paging`,
        inputSchema: {
          type: 'object',
          properties: {
            [`${noun}Id`]: { type: 'string', description: `The ${noun} identifier` },
            cursor: { type: 'string' },
          },
        },
      };
    });
    const big = buildToolIndex(tools);
    const queries = [
      'export the invoices of last month',
      'who is the customer',
      'open a ticket',
      'roll back a deploy',
    ];
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const start = performance.now();
      big.search(queries[i % queries.length] ?? '', 5);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)] ?? Infinity;
    assert.ok(p50 <= 5, `p50 ${p50.toFixed(2)} ms`);
  });
});
