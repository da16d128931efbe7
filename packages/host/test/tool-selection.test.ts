/**
 * The host's own tool selection over real servers from a servers file (a kit domain server, the
 * gateway's fixture server, and @modelcontextprotocol/server-everything when installed): the
 * model is shown search_tools and call_tool; search finds a tool with the gateway's index;
 * call_tool runs it through the wrapped source, so questions and statuses name the real tool;
 * bad arguments and unknown names are error results with the gateway's sentences; a tool added
 * at run time (list_changed) is found after the change; `auto` wraps only above the threshold.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  connectToolSource,
  type HostToolResult,
  type McpToolSource,
  SEARCH_THRESHOLD,
  selectTools,
  ToolSelection,
} from '../src/index.ts';
import { answering, noQuestions } from './helpers/asking.ts';
import { EVERYTHING, FIXTURE, killStarted, tempFile, WEATHER, waitFor } from './helpers/processes.ts';

after(() => killStarted());

const node = process.execPath;

function serversFile(servers: Record<string, unknown>): string {
  return tempFile('servers.json', { mcpServers: servers });
}

const KIT_AND_FIXTURE = {
  weather: { command: node, args: [WEATHER] },
  fx: { command: node, args: [FIXTURE], env: { FIXTURE_NAME: 'fx' } },
};

/** The names search_tools answered, best first. */
function foundNames(result: HostToolResult): string[] {
  assert.equal(result.isError, false, result.text);
  const answer = JSON.parse(result.text) as { tools: { name: string; inputSchema: unknown }[] };
  assert.deepEqual(result.raw.structuredContent, answer);
  for (const tool of answer.tools) assert.equal(typeof tool.inputSchema, 'object');
  return answer.tools.map((t) => t.name);
}

describe('ToolSelection over a kit domain server and the fixture server', () => {
  let servers: McpToolSource;
  let selection: ToolSelection;

  before(async () => {
    servers = await connectToolSource({ kind: 'servers', file: serversFile(KIT_AND_FIXTURE) });
    selection = new ToolSelection(servers, { core: ['fx__pid'] });
  });

  after(async () => {
    await selection?.close();
  });

  it('shows the model its core tools, search_tools and call_tool — not the whole catalog', () => {
    assert.ok(
      servers.tools().length >= 7,
      servers
        .tools()
        .map((t) => t.name)
        .join(', '),
    );
    assert.deepEqual(
      selection.tools().map((t) => t.name),
      ['fx__pid', 'search_tools', 'call_tool'],
    );
    assert.equal(selection.searchable, servers.tools().length);
    const search = selection.tools().find((t) => t.name === 'search_tools');
    assert.deepEqual(search?.inputSchema.required, ['query']);
  });

  it('search_tools finds a tool by what it does, across servers, with its definition', async () => {
    const weather = foundNames(
      await selection.callTool(
        'search_tools',
        { query: 'weather forecast for the next days' },
        noQuestions(),
      ),
    );
    assert.equal(weather[0], 'weather__get_forecast', weather.join(', '));
    const echo = foundNames(
      await selection.callTool('search_tools', { query: 'echo a message' }, noQuestions()),
    );
    assert.equal(echo[0], 'fx__echo', echo.join(', '));
    assert.ok(echo.length <= 5);
  });

  it('call_tool runs the real tool through the servers; the transcript is told which one', async () => {
    const result = await selection.callTool(
      'call_tool',
      { name: 'fx__echo', arguments: { message: 'through call_tool' } },
      noQuestions(),
    );
    assert.deepEqual([result.isError, result.text], [false, 'fx: through call_tool']);
    assert.deepEqual(selection.resolveCall('call_tool', { name: 'fx__echo', arguments: { message: 'x' } }), {
      name: 'fx__echo',
      arguments: { message: 'x' },
      via: 'call_tool',
    });
    assert.equal(selection.resolveCall('call_tool', { name: 'nope' }), undefined);
    assert.equal(selection.resolveCall('fx__pid', {}), undefined);
    // The kit server's own validation answered: the call reached it.
    const weather = await selection.callTool('call_tool', { name: 'weather__get_weather' }, noQuestions());
    assert.equal(weather.isError, true);
    assert.match(weather.text, /Say where/);
  });

  it('a question and the statuses of a call through call_tool name the real tool', async () => {
    const asked = answering({ action: 'accept', content: { word: 'lighthouse' } });
    const answer = await selection.callTool('call_tool', { name: 'fx__ask' }, asked);
    assert.equal(answer.text, 'you said lighthouse');
    assert.deepEqual(
      asked.questions.map((q) => q.tool),
      ['fx__ask'],
    );
    const options = noQuestions();
    await selection.callTool('call_tool', { name: 'fx__slow_progress', arguments: { stepMs: 1 } }, options);
    assert.ok(
      options.statuses.some((s) => s.kind === 'progress'),
      JSON.stringify(options.statuses),
    );
  });

  it("an unknown tool and bad arguments are error results, in the gateway's words", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['call_tool', { name: 'fx__nope' }, 'Unknown tool: fx__nope'],
      ['call_tool', { name: 'search_tools', arguments: { query: 'x' } }, 'Unknown tool: search_tools'],
      ['call_tool', { name: 7 }, 'call_tool: "name" must be the name of a tool, got a number'],
      [
        'call_tool',
        { name: 'fx__echo', arguments: ['hi'] },
        'call_tool: "arguments" must be an object of the tool\'s arguments, got an array',
      ],
      [
        'search_tools',
        {},
        'search_tools: "query" must be a non-empty string saying what you want to do, got nothing',
      ],
      [
        'search_tools',
        { query: 'x'.repeat(1001) },
        'search_tools: "query" is 1001 characters long; at most 1000 are accepted',
      ],
    ];
    for (const [tool, args, text] of cases) {
      const result = await selection.callTool(tool, args, noQuestions());
      assert.deepEqual(
        [result.isError, result.text, result.raw.isError],
        [true, text, true],
        `${tool} ${JSON.stringify(args)}`,
      );
    }
    // The selection keeps serving.
    const echo = await selection.callTool(
      'call_tool',
      { name: 'fx__echo', arguments: { message: 'still' } },
      noQuestions(),
    );
    assert.equal(echo.text, 'fx: still');
  });

  it('a tool added at run time (list_changed) is found after the change', async () => {
    const query = { query: 'dynamic' };
    assert.deepEqual(foundNames(await selection.callTool('search_tools', query, noQuestions())), []);
    const added = await selection.callTool('call_tool', { name: 'fx__add_tool' }, noQuestions());
    const name = `fx__${added.text}`;
    await waitFor(() => servers.tools().some((t) => t.name === name), 10_000, `${name} listed`);
    assert.deepEqual(foundNames(await selection.callTool('search_tools', query, noQuestions())), [name]);
    const ran = await selection.callTool('call_tool', { name }, noQuestions());
    assert.equal(ran.text, added.text);
  });
});

describe('selectTools: on, off, auto', () => {
  it(`auto wraps only above ${SEARCH_THRESHOLD} tools; on always; off never; a core tool must exist`, async () => {
    const many = Array.from({ length: SEARCH_THRESHOLD }, (_, i) => `extra_${i}`).join(',');
    const small = await connectToolSource({ kind: 'servers', file: serversFile(KIT_AND_FIXTURE) });
    const large = await connectToolSource({
      kind: 'servers',
      file: serversFile({
        fx: { command: node, args: [FIXTURE], env: { FIXTURE_NAME: 'fx', FIXTURE_TOOLS: many } },
      }),
    });
    try {
      assert.ok(large.tools().length > SEARCH_THRESHOLD && small.tools().length <= SEARCH_THRESHOLD);
      assert.equal(selectTools(small, { toolSearch: 'auto' }), small);
      assert.ok(selectTools(large, { toolSearch: 'auto' }) instanceof ToolSelection);
      assert.ok(selectTools(small, { toolSearch: 'on' }) instanceof ToolSelection);
      assert.equal(selectTools(large, { toolSearch: 'off' }), large);
      assert.throws(() => selectTools(small, { toolSearch: 'on', core: ['fx__pid', 'fx__nope'] }), {
        kind: 'unknown-tool',
        userMessage: `no tool named fx__nope among the ${small.tools().length} tools of the servers (tools are named <server>__<tool>)`,
      });
    } finally {
      await Promise.all([small.close(), large.close()]);
    }
  });
});

describe('ToolSelection over @modelcontextprotocol/server-everything (npm)', {
  skip: !existsSync(EVERYTHING) && 'not installed: npm ci in conformance/third-party',
}, () => {
  it('finds and runs its tools through call_tool; its elicitation asks under the real name', async () => {
    const servers = await connectToolSource({
      kind: 'servers',
      file: serversFile({ everything: { command: node, args: [EVERYTHING, 'stdio'] } }),
    });
    const selection = new ToolSelection(servers);
    try {
      const found = foundNames(
        await selection.callTool('search_tools', { query: 'echo back a message' }, noQuestions()),
      );
      assert.ok(found.includes('everything__echo'), found.join(', '));
      const echo = await selection.callTool(
        'call_tool',
        { name: 'everything__echo', arguments: { message: 'found it' } },
        noQuestions(),
      );
      assert.equal(echo.text, 'Echo: found it');
      const asked = answering({ action: 'accept', content: { name: 'Ada Lovelace' } });
      const elicited = await selection.callTool(
        'call_tool',
        { name: 'everything__trigger-elicitation-request' },
        asked,
      );
      assert.deepEqual(
        asked.questions.map((q) => q.tool),
        ['everything__trigger-elicitation-request'],
      );
      assert.match(elicited.text, /Ada Lovelace/);
      const unknown = await selection.callTool('call_tool', { name: 'everything__nope' }, noQuestions());
      assert.deepEqual([unknown.isError, unknown.text], [true, 'Unknown tool: everything__nope']);
    } finally {
      await selection.close();
    }
  });
});
