/**
 * `gatehouse chat --servers FILE --tool-search …` through the front door: the real CLI, real
 * servers over stdio (a kit domain server and the gateway's fixture server) and the loopback
 * model. With search on, the model is first sent only search_tools and call_tool; it searches,
 * calls the tool it found through call_tool, and the transcript records the real tool. Flags that
 * cannot work are one line and exit 2.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Transcript } from '../src/agent/transcript.ts';
import { gatehouse, runChat, startChat } from './helpers/gatehouse-cli.ts';
import type { LoopbackModel, ScriptStep } from './helpers/loopback-script.ts';
import { startOpenAiLoopback } from './helpers/openai-loopback.ts';
import { FIXTURE, tempFile, WEATHER } from './helpers/processes.ts';

const SERVERS = tempFile('servers.json', {
  mcpServers: {
    weather: { command: process.execPath, args: [WEATHER] },
    fx: { command: process.execPath, args: [FIXTURE], env: { FIXTURE_NAME: 'fx' } },
  },
});

const models: LoopbackModel[] = [];
after(() => Promise.all(models.map((m) => m.close())));

async function openai(script: ScriptStep[]): Promise<LoopbackModel> {
  const model = await startOpenAiLoopback(script);
  models.push(model);
  return model;
}

function chatArgs(model: LoopbackModel, ...rest: string[]): string[] {
  return [
    '--servers',
    SERVERS,
    '--provider',
    'openai',
    '--base-url',
    model.baseUrl,
    '--model',
    'loopback-1',
    ...rest,
  ];
}

/** The tool names of a recorded chat-completions request. */
function sentTools(model: LoopbackModel, request: number): string[] {
  const tools = (model.requests[request]?.body.tools ?? []) as { function: { name: string } }[];
  return tools.map((t) => t.function.name);
}

describe('gatehouse chat --servers with the host’s own tool selection', () => {
  it('--tool-search on: the model searches, then runs the found tool through call_tool; the transcript names it', async () => {
    let found = '';
    const model = await openai([
      { toolCalls: [{ name: 'search_tools', arguments: { query: 'echo a message back' } }] },
      {
        toolCalls: (ctx) => {
          const answer = JSON.parse(ctx.lastToolResult ?? '{}') as { tools?: { name: string }[] };
          found = answer.tools?.[0]?.name ?? '(nothing found)';
          return [{ name: 'call_tool', arguments: { name: found, arguments: { message: 'hello' } } }];
        },
      },
      { text: (ctx) => `The tool said: ${ctx.lastToolResult}` },
    ]);
    const run = await runChat(
      chatArgs(model, '--tool-search', 'on', '--prompt', 'Echo hello, please.', '--json'),
      {},
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(found, 'fx__echo');
    // The first request offered only the meta-tools; so did every later one.
    assert.deepEqual(sentTools(model, 0), ['search_tools', 'call_tool']);
    assert.deepEqual(sentTools(model, 2), ['search_tools', 'call_tool']);
    const transcript = JSON.parse(run.stdout) as Transcript;
    assert.equal(transcript.tools.count, 2);
    assert.ok((transcript.tools.searchable ?? 0) >= 7, JSON.stringify(transcript.tools));
    const turn = transcript.turns[0];
    assert.equal(turn?.outcome, 'answered');
    assert.equal(turn?.text, 'The tool said: fx: hello');
    const [search, call] = turn?.toolCalls ?? [];
    assert.deepEqual(
      [search?.name, search?.arguments, search?.via],
      ['search_tools', { query: 'echo a message back' }, undefined],
    );
    assert.deepEqual(
      [call?.name, call?.arguments, call?.via],
      ['fx__echo', { message: 'hello' }, 'call_tool'],
    );
    assert.equal(call?.isError, false);
    assert.equal(call?.resultBytes, Buffer.byteLength('fx: hello'));
    assert.equal(call?.step, 2);
    // Two meta-tools cost far fewer definition tokens than the whole catalog would.
    assert.ok(
      (turn?.tokens.toolDefinitionsPerRequest ?? 0) > 0 &&
        (turn?.tokens.toolDefinitionsPerRequest ?? 0) < 400,
    );
    assert.match(run.stderr, /→ fx__echo \{"message":"hello"\}/);
  });

  it('an unknown tool through call_tool is an error result the model reads; the turn goes on', async () => {
    const model = await openai([
      { toolCalls: [{ name: 'call_tool', arguments: { name: 'fx__nope' } }] },
      { text: (ctx) => `The host said: ${ctx.lastToolResult}` },
    ]);
    const run = await runChat(chatArgs(model, '--tool-search', 'on', '--prompt', 'Run nope.', '--json'), {});
    assert.equal(run.code, 0, run.stderr);
    const turn = (JSON.parse(run.stdout) as Transcript).turns[0];
    assert.equal(turn?.text, 'The host said: Unknown tool: fx__nope');
    assert.deepEqual([turn?.toolCalls[0]?.name, turn?.toolCalls[0]?.isError], ['call_tool', true]);
  });

  it('--core lists a tool besides the meta-tools; auto below the threshold lists every tool', async () => {
    const core = await openai([{ text: 'ok' }]);
    const withCore = await runChat(
      chatArgs(core, '--tool-search', 'on', '--core', 'fx__pid', '--prompt', 'Hi', '--json'),
      {},
    );
    assert.equal(withCore.code, 0, withCore.stderr);
    assert.deepEqual(sentTools(core, 0), ['fx__pid', 'search_tools', 'call_tool']);

    const auto = await openai([{ text: 'ok' }]);
    const run = await runChat(chatArgs(auto, '--prompt', 'Hi', '--json'), {});
    assert.equal(run.code, 0, run.stderr);
    assert.ok(sentTools(auto, 0).includes('weather__get_weather'), sentTools(auto, 0).join(', '));
    assert.ok(!sentTools(auto, 0).includes('search_tools'));
  });

  it('the interactive chat says how many tools the model is shown and how many it can search', async () => {
    const model = await openai([]);
    const chat = startChat(chatArgs(model, '--tool-search', 'on'), {});
    const banner = await chat.waitFor(/\d+ tools \(search over \d+\) from \S+/);
    assert.match(banner, /^2 tools \(search over ([7-9]|\d\d+)\) from /);
    assert.equal(await chat.end(), 0);
    assert.match(await gatehouse(['chat', '--help']), /--tool-search auto\|on\|off\] \[--core NAME,…\]/);
  });

  it('flags that cannot work: one line, exit 2', async () => {
    const model = await openai([]);
    const cases: [string[], string][] = [
      [
        ['--tool-search', 'maybe'],
        'gatehouse chat: --tool-search must be auto, on or off, found maybe (see gatehouse chat --help)',
      ],
      [
        ['--tool-search', 'off', '--core', 'fx__pid'],
        'gatehouse chat: --core lists tools besides search_tools and call_tool: it needs --tool-search on or auto (see gatehouse chat --help)',
      ],
      [
        ['--tool-search', 'on', '--core', 'fx__pid,fx__nope'],
        /^gatehouse chat: --core: no tool named fx__nope among the \d+ tools of the servers \(tools are named <server>__<tool>\) \(see gatehouse chat --help\)$/
          .source,
      ],
    ];
    for (const [flags, line] of cases) {
      const run = await runChat(chatArgs(model, ...flags, '--prompt', 'Hi'), {});
      assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      if (line.startsWith('^')) assert.match(lines[0] ?? '', new RegExp(line));
      else assert.equal(lines[0], line);
    }
    const viaGateway = await runChat(
      ['--url', 'http://127.0.0.1:9/mcp', '--tool-search', 'on', '--provider', 'openai', '--prompt', 'Hi'],
      { GATEHOUSE_API_KEY: 'k' },
    );
    assert.equal(viaGateway.code, 2);
    assert.equal(
      viaGateway.stderr.trim(),
      'gatehouse chat: --tool-search is for --servers: through a gateway the gateway decides which tools each role is listed (toolSearch in its configuration) (see gatehouse chat --help)',
    );
    assert.equal(model.requests.length, 0, 'no model was asked');
  });
});
