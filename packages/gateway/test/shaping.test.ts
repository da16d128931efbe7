/**
 * Response shaping through the front door: a real stdio upstream with CRM-sized results, the
 * gateway with `shaping` rules on one upstream (`crm`) and none on another serving the same tools
 * (`raw`), clients of both eras. What the model receives is checked against the advertised
 * outputSchema with a real JSON Schema validator, text against structured content, pages of a
 * token budget against the whole, and the audit log against what was sent.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, type Tool } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { estimateTokens } from '../src/shaping/budget.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  type ClientEra,
  connectClient,
  errorOf,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const SERVER = fileURLToPath(new URL('./fixtures/shaping-server.ts', import.meta.url));
const META = 'dev.gatehouse/shaping';
const BUDGET = 400;

const SHAPING = `    shaping:
      - tools: [get_deal]
        pick: [id, name, stage, amount, "owner.name", "tickets[].id", "tickets[].subject", "tickets[].status"]
        rename: { stage: dealstage, "tickets[].subject": title }
        truncate: { maxChars: 40 }
        arrays: { tickets: 5 }
      - tools: [deal_text]
        pick: [id, name, "tickets[].id"]
        maxItems: 3
      - tools: [list_tickets]
        pick: [customer, total, "tickets[].id", "tickets[].subject"]
        tokenBudget: ${BUDGET}
      - tools: [notes, broken_deal]
        truncate: { maxChars: 50 }
      - tools: [search, echo_args]
        tokenBudget: 1000
`;

type Result = Awaited<ReturnType<Client['callTool']>>;
type Ticket = { id: string; subject?: string; title?: string; status?: string };
type Shaping = {
  dropped: Record<string, number>;
  truncated: number;
  continuation?: string;
  remaining?: Record<string, number>;
};

function shapingOf(result: Result): Shaping | undefined {
  return (result._meta as Record<string, unknown> | undefined)?.[META] as Shaping | undefined;
}

function firstText(result: Result): string {
  const [block] = result.content as { type: string; text: string }[];
  return block?.text ?? '';
}

const ajv = new AjvJsonSchemaValidator();

function assertMatchesSchema(tool: Tool | undefined, value: unknown): void {
  assert.ok(tool?.outputSchema, 'the tool advertises an outputSchema');
  const check = ajv.getValidator(tool.outputSchema as never)(value);
  assert.ok(check.valid, `${tool.name}: ${check.errorMessage}`);
}

describe('response shaping', () => {
  let gw: TestGateway;
  let storage: string;
  let direct: Client;
  let directTools: Tool[];
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', roles: ['everyone'] }).key;
    keys.bob = store.create({ user: 'bob', roles: ['everyone'] }).key;
    store.close();
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('crm', SERVER, { SHAPING_FIXTURE: 'crm' }, SHAPING)}
${stdioUpstreamYaml('raw', SERVER, { SHAPING_FIXTURE: 'raw' })}
auth:
  apiKeys: true
policy:
  groups:
    everything:
      allow: [{ tools: ["*"] }]
  roles:
    everyone: { groups: [everything] }
storage: { path: ${JSON.stringify(storage)} }
`);
    direct = new Client({ name: 'direct', version: '1' });
    await direct.connect(
      new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' }),
    );
    directTools = (await direct.listTools()).tools;
  });

  after(async () => {
    await direct?.close();
    await gw?.close();
  });

  function as(user: string, era: ClientEra): Promise<Client> {
    return connectClient(gw.url, era, undefined, {}, { authorization: `Bearer ${keys[user]}` });
  }

  async function toolsOf(client: Client): Promise<Map<string, Tool>> {
    return new Map((await client.listTools()).tools.map((t) => [t.name, t]));
  }

  it('advertises the shaped outputSchema, and continuation only where results are paged', async () => {
    const client = await as('alice', 'modern');
    try {
      const tools = await toolsOf(client);
      const schema = tools.get('crm_get_deal')?.outputSchema as {
        properties: Record<string, { maxItems?: number; items?: { properties: Record<string, unknown> } }>;
        required: string[];
      };
      assert.deepEqual(Object.keys(schema.properties), [
        'id',
        'name',
        'dealstage',
        'amount',
        'owner',
        'tickets',
      ]);
      assert.equal(schema.properties.tickets?.maxItems, 5);
      assert.deepEqual(Object.keys(schema.properties.tickets?.items?.properties ?? {}).sort(), [
        'id',
        'status',
        'title',
      ]);
      assert.ok(schema.required.includes('dealstage') && !schema.required.includes('stage'));
      const upstream = directTools.find((t) => t.name === 'get_deal');
      assert.deepEqual(
        tools.get('raw_get_deal')?.outputSchema,
        upstream?.outputSchema,
        'unshaped: as the upstream says',
      );
      const props = (name: string) => Object.keys(tools.get(name)?.inputSchema.properties ?? {});
      assert.ok(props('crm_list_tickets').includes('continuation'));
      assert.ok(!props('crm_get_deal').includes('continuation'));
      assert.ok(!props('raw_list_tickets').includes('continuation'));
      const ownContinuation = tools.get('crm_search')?.inputSchema.properties?.continuation as {
        description?: string;
      };
      assert.equal(ownContinuation.description, undefined, "the tool's own argument is left as it is");
    } finally {
      await client.close();
    }
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`${era}: picks, renames, truncates and caps — 6 fields instead of 60, text and structure agreeing`, async () => {
      const client = await as('alice', era);
      try {
        const tools = await toolsOf(client);
        const result = await client.callTool({ name: 'crm_get_deal', arguments: { id: 'D-7', tickets: 12 } });
        const deal = result.structuredContent as Record<string, unknown> & { tickets: Ticket[] };
        assert.deepEqual(Object.keys(deal), ['id', 'name', 'dealstage', 'amount', 'owner', 'tickets']);
        assert.deepEqual(deal.owner, { name: 'Dana Owner' });
        assert.equal(deal.dealstage, 'contractsent');
        assert.equal(deal.tickets.length, 5);
        assert.deepEqual(Object.keys(deal.tickets[0] ?? {}), ['id', 'title', 'status']);
        assert.equal(deal.tickets[0]?.title, 'Ticket 0 about D-7: the export to the b…');
        assert.equal([...(deal.tickets[0]?.title ?? '')].length, 40);
        assert.deepEqual(JSON.parse(firstText(result)), deal, 'the text is the JSON of the shaped structure');
        assert.deepEqual(shapingOf(result), { dropped: { tickets: 7 }, truncated: 5 });
        assertMatchesSchema(tools.get('crm_get_deal'), deal);
        const raw = await direct.callTool({ name: 'get_deal', arguments: { id: 'D-7', tickets: 12 } });
        const rawKeys = Object.keys(raw.structuredContent ?? {}).length;
        const rawProperties = Object.keys(
          (raw.structuredContent as { properties: object }).properties,
        ).length;
        assert.ok(
          rawKeys + rawProperties >= 50,
          `the upstream sent ${rawKeys} fields and ${rawProperties} properties`,
        );
        assert.ok(firstText(result).length * 5 < firstText(raw).length, 'a fraction of the size');
      } finally {
        await client.close();
      }
    });

    it(`${era}: a JSON text result is parsed, shaped and re-serialized; plain text is only truncated`, async () => {
      const client = await as('alice', era);
      try {
        const jsonText = await client.callTool({ name: 'crm_deal_text', arguments: { id: 'D-8' } });
        assert.equal(jsonText.structuredContent, undefined);
        assert.deepEqual(JSON.parse(firstText(jsonText)), {
          id: 'D-8',
          name: 'Acme renewal D-8',
          tickets: [{ id: 'D-8-T000' }, { id: 'D-8-T001' }, { id: 'D-8-T002' }],
        });
        assert.deepEqual(shapingOf(jsonText), { dropped: { tickets: 12 }, truncated: 0 });
        const notes = await client.callTool({ name: 'crm_notes', arguments: {} });
        const text = textOf(notes);
        assert.equal(text.length, 50);
        assert.ok(text.startsWith('Notes: lorem ipsum') && text.endsWith('…'));
        assert.deepEqual(shapingOf(notes), { dropped: {}, truncated: 1 });
      } finally {
        await client.close();
      }
    });
  }

  it('leaves error results and unshaped tools exactly as the upstream sent them', async () => {
    const client = await as('alice', 'legacy');
    try {
      const payload = (r: Result) =>
        JSON.stringify({ content: r.content, structuredContent: r.structuredContent });
      const broken = await client.callTool({ name: 'crm_broken_deal', arguments: {} });
      assert.equal(broken.isError, true);
      assert.equal(payload(broken), payload(await direct.callTool({ name: 'broken_deal', arguments: {} })));
      assert.equal(shapingOf(broken), undefined);
      for (const name of ['get_deal', 'deal_text', 'list_tickets']) {
        const args = name === 'list_tickets' ? { customer: 'acme', count: 80 } : { id: 'D-9' };
        const viaGateway = await client.callTool({ name: `raw_${name}`, arguments: args });
        const fromUpstream = await direct.callTool({ name, arguments: args });
        assert.equal(payload(viaGateway), payload(fromUpstream), `raw_${name} is byte-identical`);
        assert.equal(shapingOf(viaGateway), undefined);
      }
    } finally {
      await client.close();
    }
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`${era}: a token budget pages every ticket exactly once, without calling the upstream again`, async () => {
      const client = await as('alice', era);
      try {
        const tools = await toolsOf(client);
        const callsBefore = Number(
          textOf(await client.callTool({ name: 'crm_ticket_calls', arguments: {} })),
        );
        const args = { customer: 'acme', count: 60 };
        let result = await client.callTool({ name: 'crm_list_tickets', arguments: args });
        const seen: string[] = [];
        let pages = 0;
        for (;;) {
          pages++;
          const page = result.structuredContent as { customer: string; total: number; tickets: Ticket[] };
          assertMatchesSchema(tools.get('crm_list_tickets'), page);
          assert.deepEqual(JSON.parse(firstText(result)), page);
          assert.ok(estimateTokens(firstText(result)) <= BUDGET, `page ${pages} fits the budget`);
          assert.equal(page.customer, 'acme');
          seen.push(...page.tickets.map((t) => t.id));
          const shaping = shapingOf(result);
          if (shaping?.continuation === undefined) break;
          const left = shaping.remaining?.tickets ?? 0;
          assert.equal(left, 60 - seen.length);
          assert.match(
            textOf(result),
            new RegExp(
              `Gatehouse: ${left} more items? in \`tickets\`; call crm_list_tickets again with the same arguments and continuation "${shaping.continuation}"`,
            ),
          );
          const again = { ...args, continuation: shaping.continuation };
          const retried = await client.callTool({ name: 'crm_list_tickets', arguments: again });
          result = await client.callTool({ name: 'crm_list_tickets', arguments: again });
          assert.deepEqual(
            retried.structuredContent,
            result.structuredContent,
            'the same cursor, the same page',
          );
        }
        assert.ok(pages >= 4, `${pages} pages`);
        assert.deepEqual(
          seen,
          Array.from({ length: 60 }, (_, i) => `acme-T${String(i).padStart(3, '0')}`),
        );
        const callsAfter = Number(textOf(await client.callTool({ name: 'crm_ticket_calls', arguments: {} })));
        assert.equal(callsAfter - callsBefore, 1, 'the upstream ran once for all the pages');
      } finally {
        await client.close();
      }
    });
  }

  it('refuses an unknown, malformed or someone else’s continuation with -32602, and keeps serving', async () => {
    const alice = await as('alice', 'modern');
    const bob = await as('bob', 'legacy');
    try {
      const args = { customer: 'globex', count: 40 };
      const first = await alice.callTool({ name: 'crm_list_tickets', arguments: args });
      const cursor = shapingOf(first)?.continuation;
      assert.ok(cursor);
      const unknown = await errorOf(
        alice.callTool({
          name: 'crm_list_tickets',
          arguments: { ...args, continuation: 'AAAAAAAAAAAAAAAA.1' },
        }),
      );
      assert.equal(unknown.code, -32602);
      assert.match(unknown.message ?? '', /Unknown or expired continuation for crm_list_tickets/);
      const theirs = await errorOf(
        bob.callTool({ name: 'crm_list_tickets', arguments: { ...args, continuation: cursor } }),
      );
      assert.equal(theirs.code, -32602);
      assert.equal(theirs.message, unknown.message, "someone else's cursor looks like an unknown one");
      const notString = await errorOf(
        alice.callTool({ name: 'crm_list_tickets', arguments: { ...args, continuation: 7 } }),
      );
      assert.equal(notString.code, -32602);
      assert.match(notString.message ?? '', /continuation must be a string/);
      const next = await alice.callTool({
        name: 'crm_list_tickets',
        arguments: { ...args, continuation: cursor },
      });
      assert.ok(
        (next.structuredContent as { tickets: Ticket[] }).tickets.length > 0,
        'the owner still gets it',
      );
      const fresh = await bob.callTool({ name: 'crm_get_deal', arguments: { id: 'D-1' } });
      assert.equal((fresh.structuredContent as { id: string }).id, 'D-1');
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('strips continuation before the upstream, and leaves a tool’s own continuation argument alone', async () => {
    const client = await as('alice', 'legacy');
    try {
      const echoed = await client.callTool({
        name: 'crm_echo_args',
        arguments: { a: 1, continuation: null },
      });
      assert.deepEqual(JSON.parse(textOf(echoed)), { received: { a: 1 } });
      const own = await client.callTool({
        name: 'crm_search',
        arguments: { query: 'q', continuation: 'page-2' },
      });
      assert.deepEqual(JSON.parse(textOf(own)), { query: 'q', continuation: 'page-2' });
    } finally {
      await client.close();
    }
  });

  it('audits what the model received: the size and hash of the shaped result', async () => {
    const client = await as('alice', 'legacy');
    try {
      const result = await client.callTool({ name: 'crm_get_deal', arguments: { id: 'D-AUDIT' } });
      // The gateway's own key order: the upstream's fields, then the shaping report.
      const { content, structuredContent, _meta, ...rest } = result;
      const sent = JSON.stringify({ content, structuredContent, ...rest, _meta });
      const audit = await openCommittedAudit(storage);
      try {
        const [record] = await audit.query({
          target: 'crm_get_deal',
          method: 'tools/call',
          status: 'ok',
          limit: 1,
        });
        assert.ok(record);
        assert.equal(record.resultBytes, Buffer.byteLength(sent));
        assert.equal(record.resultHash, createHash('sha256').update(sent).digest('hex'));
        const unshaped = await direct.callTool({ name: 'get_deal', arguments: { id: 'D-AUDIT' } });
        assert.ok((record.resultBytes ?? 0) * 5 < Buffer.byteLength(JSON.stringify(unshaped)));
      } finally {
        await audit.close();
      }
    } finally {
      await client.close();
    }
  });
});
