/**
 * list_changed fan-out: an upstream that registers a tool at run time makes the gateway re-list
 * it, rebuild the catalog and tell every connected client — 2025-era sessions by an unsolicited
 * notification, 2026-07-28 clients on their `subscriptions/listen` stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client, McpSubscription, Tool } from '@modelcontextprotocol/client';
import {
  type ClientEra,
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
  waitFor,
} from './helpers/harness.ts';

const ERAS: ClientEra[] = ['legacy', 'modern'];
const NOTIFY_WITHIN_MS = 5_000;

/** Counts `notifications/tools/list_changed` a client receives, whichever era delivered it. */
interface Counter {
  count: number;
}

function countToolsChanged(counter: Counter): (client: Client) => void {
  return (client) =>
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      counter.count++;
    });
}

/** On a 2026-07-28 connection notifications only flow on an open listen stream. */
async function listenIfModern(client: Client, era: ClientEra): Promise<McpSubscription | undefined> {
  if (era !== 'modern') return undefined;
  const sub = await client.listen({ toolsListChanged: true });
  assert.equal(sub.honoredFilter.toolsListChanged, true, 'the gateway honours toolsListChanged');
  return sub;
}

async function addTool(client: Client, prefix: string): Promise<string> {
  const added = textOf(await client.callTool({ name: `${prefix}_add_tool`, arguments: {} }));
  assert.match(added, /^dynamic_\d+$/);
  return added;
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools(undefined, { cacheMode: 'refresh' })).tools.map((t) => t.name);
}

describe('tools list_changed fan-out', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
${fixtureUpstreamYaml('beta')}
`);
  });
  after(() => gw.close());

  for (const era of ERAS) {
    it(`notifies a ${era} client and serves the new tool`, async () => {
      const counter: Counter = { count: 0 };
      const client = await connectClient(gw.url, era, countToolsChanged(counter));
      const sub = await listenIfModern(client, era);
      try {
        const before = await toolNames(client);
        const baseline = counter.count;

        const added = await addTool(client, 'alpha');
        const exposed = `alpha_${added}`;
        assert.ok(!before.includes(exposed), `${exposed} is new`);
        await waitFor(() => counter.count > baseline, NOTIFY_WITHIN_MS, `tools list_changed (${era})`);

        const after = await toolNames(client);
        assert.ok(after.includes(exposed), `tools/list has ${exposed}: ${after.join(', ')}`);
        assert.equal(after.length, before.length + 1, 'exactly one tool was added');
        const result = await client.callTool({ name: exposed, arguments: {} });
        assert.equal(textOf(result), added);
        // The other upstream is untouched.
        assert.equal(
          textOf(await client.callTool({ name: 'beta_echo', arguments: { message: 'x' } })),
          'beta: x',
        );
      } finally {
        await sub?.close();
        await client.close();
      }
    });

    it(`delivers the refreshed list through ClientOptions.listChanged (${era})`, async () => {
      const lists: Tool[][] = [];
      const errors: Error[] = [];
      const client = await connectClient(gw.url, era, undefined, {
        listChanged: {
          tools: {
            debounceMs: 0,
            onChanged: (error, tools) => {
              if (error) errors.push(error);
              else if (tools) lists.push(tools);
            },
          },
        },
      });
      try {
        const added = await addTool(client, 'beta');
        const exposed = `beta_${added}`;
        await waitFor(
          () => lists.some((tools) => tools.some((t) => t.name === exposed)),
          NOTIFY_WITHIN_MS,
          `listChanged.onChanged with ${exposed} (${era})`,
        );
        assert.deepEqual(errors, []);
        assert.equal(textOf(await client.callTool({ name: exposed, arguments: {} })), added);
      } finally {
        await client.autoOpenedSubscription?.close();
        await client.close();
      }
    });
  }

  it('tells clients of both eras at once, whoever caused the change', async () => {
    const legacyCount: Counter = { count: 0 };
    const modernCount: Counter = { count: 0 };
    const legacy = await connectClient(gw.url, 'legacy', countToolsChanged(legacyCount));
    const modern = await connectClient(gw.url, 'modern', countToolsChanged(modernCount));
    const sub = await listenIfModern(modern, 'modern');
    try {
      const baseline = [legacyCount.count, modernCount.count] as const;
      const added = await addTool(legacy, 'alpha');
      await waitFor(
        () => legacyCount.count > baseline[0] && modernCount.count > baseline[1],
        NOTIFY_WITHIN_MS,
        'list_changed on both eras',
      );
      const exposed = `alpha_${added}`;
      assert.ok((await toolNames(modern)).includes(exposed));
      assert.ok((await toolNames(legacy)).includes(exposed));
      assert.equal(textOf(await modern.callTool({ name: exposed, arguments: {} })), added);
    } finally {
      await sub?.close();
      await legacy.close();
      await modern.close();
    }
  });
});
