/**
 * The agent loop against both loopback model servers (OpenAI-compatible and Anthropic), with the
 * AI SDK's real provider code: a tool result reaches the model, a step's tool calls run at the
 * same time, the step limit stops a model that keeps calling tools, Ctrl-C (an AbortSignal)
 * cancels a turn mid-stream or mid-call and the conversation goes on, a provider's error answer
 * and a malformed tool call end the turn with one line, and the turn's tokens are counted.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { AgentEvent } from '../src/agent/events.ts';
import { Conversation, type ConversationOptions } from '../src/agent/index.ts';
import { chooseModel } from '../src/agent/providers.ts';
import type { UserQuestion } from '../src/contract.ts';
import { startAnthropicLoopback } from './helpers/anthropic-loopback.ts';
import { functionToolSource } from './helpers/function-tools.ts';
import type { LoopbackModel, ScriptStep } from './helpers/loopback-script.ts';
import { startOpenAiLoopback } from './helpers/openai-loopback.ts';

const PROFILE_SCHEMA = {
  type: 'object',
  properties: { customerId: { type: 'string', description: 'The customer id, e.g. C-1001' } },
  required: ['customerId'],
  additionalProperties: false,
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** The schema of each tool as the request sent it, by name, in either wire format. */
function sentToolSchemas(body: Record<string, unknown>): Record<string, unknown> {
  type SentTool = { name?: string; input_schema?: unknown; function?: { name: string; parameters: unknown } };
  const tools = (body.tools ?? []) as SentTool[];
  return Object.fromEntries(
    tools.map((t) => (t.function ? [t.function.name, t.function.parameters] : [t.name, t.input_schema])),
  );
}

const PROVIDERS = [
  { name: 'openai', start: startOpenAiLoopback, env: {} },
  { name: 'anthropic', start: startAnthropicLoopback, env: { ANTHROPIC_API_KEY: 'sk-ant-loopback' } },
] as const;

for (const provider of PROVIDERS) {
  describe(`the agent loop against the ${provider.name} loopback model`, () => {
    const servers: LoopbackModel[] = [];
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });

    async function conversationWith(
      script: ScriptStep[],
      tools: ReturnType<typeof functionToolSource>,
      extra: Partial<ConversationOptions> = {},
    ): Promise<{ conversation: Conversation; server: LoopbackModel; events: AgentEvent[] }> {
      const server = await provider.start(script);
      servers.push(server);
      const { model } = chooseModel({
        provider: provider.name,
        baseUrl: server.baseUrl,
        model: 'loopback-1',
        env: provider.env,
      });
      const events: AgentEvent[] = [];
      const conversation = new Conversation({
        model,
        tools,
        endpoint: server.baseUrl,
        maxRetries: 0,
        ask: async () => ({ action: 'decline' }),
        onEvent: (event) => events.push(event),
        ...extra,
      });
      return { conversation, server, events };
    }

    const profileTools = () =>
      functionToolSource({
        get_customer_profile: {
          description: 'A customer profile: plan, renewal date, open tickets',
          inputSchema: PROFILE_SCHEMA,
          run: async (args) =>
            JSON.stringify({ id: args.customerId, plan: 'Enterprise', renewal: '2027-03-01' }),
        },
      });

    it('sends the tool definitions as given, runs the call, and the real result reaches the model', async () => {
      const tools = profileTools();
      const { conversation, server, events } = await conversationWith(
        [
          {
            text: 'Let me look.',
            toolCalls: [{ name: 'get_customer_profile', arguments: { customerId: 'C-1001' } }],
          },
          { text: (ctx) => `The model read: ${ctx.lastToolResult}` },
        ],
        tools,
      );
      const turn = await conversation.runTurn('When does C-1001 renew?');
      assert.equal(turn.outcome, 'answered', turn.error);
      const expected = JSON.stringify({ id: 'C-1001', plan: 'Enterprise', renewal: '2027-03-01' });
      assert.equal(turn.text, `Let me look.The model read: ${expected}`);
      assert.deepEqual(sentToolSchemas(server.requests[0]?.body ?? {}), {
        get_customer_profile: PROFILE_SCHEMA,
      });
      assert.equal(turn.toolCalls.length, 1);
      const call = turn.toolCalls[0];
      assert.equal(call?.name, 'get_customer_profile');
      assert.deepEqual(call?.arguments, { customerId: 'C-1001' });
      assert.equal(call?.resultBytes, Buffer.byteLength(expected));
      assert.equal(call?.isError, false);
      assert.equal(call?.step, 1);
      assert.deepEqual(
        tools.calls.map((c) => c.args),
        [{ customerId: 'C-1001' }],
      );
      const order = events.map((e) => e.type).filter((t) => t !== 'text-delta');
      assert.deepEqual(order, ['tool-call', 'tool-result', 'step-finish', 'step-finish', 'turn-end']);
      assert.ok(events.filter((e) => e.type === 'text-delta').length > 2, 'the text streamed in pieces');
    });

    it('runs parallel tool calls of one step at the same time and sends back every result', async () => {
      let started = 0;
      let release: () => void = () => {};
      const bothStarted = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Each call finishes only once both have started: run one after the other, they time out.
      const meet = async (label: string): Promise<string> => {
        started += 1;
        if (started === 2) release();
        await withTimeout(bothStarted, 3000, `${label} waited for the other call`);
        return `${label} done`;
      };
      const tools = functionToolSource({
        lookup_a: { description: 'A', run: () => meet('a') },
        lookup_b: { description: 'B', run: () => meet('b') },
      });
      const { conversation } = await conversationWith(
        [
          {
            toolCalls: [
              { name: 'lookup_a', arguments: {} },
              { name: 'lookup_b', arguments: {} },
            ],
          },
          { text: (ctx) => `got ${ctx.toolResults.join(' + ')}` },
        ],
        tools,
      );
      const turn = await conversation.runTurn('Look both up');
      assert.equal(turn.outcome, 'answered', turn.error);
      assert.equal(turn.text, 'got a done + b done');
      assert.deepEqual(
        turn.toolCalls.map((c) => [c.name, c.isError]),
        [
          ['lookup_a', false],
          ['lookup_b', false],
        ],
      );
    });

    it('takes parallel tool calls that arrive whole in one chunk (as Ollama and vLLM stream them)', async () => {
      const tools = functionToolSource({
        lookup_a: { description: 'A', run: async (args) => `a:${args.q}` },
        lookup_b: { description: 'B', run: async (args) => `b:${args.q}` },
      });
      const { conversation } = await conversationWith(
        [
          {
            wholeCalls: true,
            toolCalls: [
              { name: 'lookup_a', arguments: { q: 1 } },
              { name: 'lookup_b', arguments: { q: 2 } },
            ],
          },
          { text: (ctx) => ctx.toolResults.join(' ') },
        ],
        tools,
      );
      const turn = await conversation.runTurn('Both');
      assert.equal(turn.outcome, 'answered', turn.error);
      assert.equal(turn.text, 'a:1 b:2');
    });

    it('stops at the step limit when the model keeps calling tools, and says so', async () => {
      const tools = profileTools();
      const call = { toolCalls: [{ name: 'get_customer_profile', arguments: { customerId: 'C-1' } }] };
      const { conversation, server } = await conversationWith([call, call, call, { text: 'never' }], tools, {
        maxSteps: 2,
      });
      const turn = await conversation.runTurn('Loop forever');
      assert.equal(turn.outcome, 'step-limit');
      assert.equal(
        turn.error,
        'the model was still calling tools after 2 steps (the step limit); the turn stopped',
      );
      assert.equal(server.requests.length, 2);
      assert.equal(tools.calls.length, 2);
    });

    it('cancels a turn mid-stream (the model never finishes) and the conversation goes on', async () => {
      const { conversation, server } = await conversationWith(
        [{ stall: 'Thinking' }, { text: 'Back again.' }],
        profileTools(),
      );
      const controller = new AbortController();
      const cancelled = conversation.runTurn('Take your time', controller.signal);
      await withTimeout(
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (server.requests.length > 0) {
              clearInterval(poll);
              resolve();
            }
          }, 5);
        }),
        3000,
        'the model request',
      );
      setTimeout(() => controller.abort(), 50);
      const turn = await withTimeout(cancelled, 3000, 'the cancelled turn');
      assert.equal(turn.outcome, 'cancelled');
      assert.equal(turn.error, 'the turn was cancelled');
      const next = await withTimeout(conversation.runTurn('Still there?'), 5000, 'the next turn');
      assert.equal(next.outcome, 'answered', next.error);
      assert.equal(next.text, 'Back again.');
      // The cancelled turn left nothing in the history the model is sent.
      const messages = (server.requests[1]?.body.messages ?? []) as { role: string }[];
      assert.deepEqual(
        messages.filter((m) => m.role !== 'system').map((m) => m.role),
        ['user'],
      );
    });

    it('cancels a turn while a tool call runs: the call sees the abort and nothing hangs', async () => {
      const controller = new AbortController();
      let sawAbort = false;
      const tools = functionToolSource({
        slow_report: {
          description: 'A report that takes long',
          run: (_args, options) =>
            new Promise<string>((_, reject) => {
              controller.abort();
              options.signal.addEventListener('abort', () => {
                sawAbort = true;
                reject(new Error('aborted'));
              });
              if (options.signal.aborted) {
                sawAbort = true;
                reject(new Error('aborted'));
              }
            }),
        },
      });
      const { conversation } = await conversationWith(
        [{ toolCalls: [{ name: 'slow_report', arguments: {} }] }, { text: 'unreached' }],
        tools,
      );
      const turn = await withTimeout(
        conversation.runTurn('Run the report', controller.signal),
        3000,
        'the turn',
      );
      assert.equal(turn.outcome, 'cancelled');
      assert.equal(sawAbort, true);
    });

    for (const status of [500, 429]) {
      it(`reports the provider's HTTP ${status} answer with its message and stops`, async () => {
        const message = status === 429 ? 'Rate limit reached for requests' : 'The server had an error';
        const { conversation, server } = await conversationWith(
          [{ error: { status, message } }, { error: { status, message } }],
          profileTools(),
          { maxRetries: 1 },
        );
        const turn = await withTimeout(conversation.runTurn('Hello'), 10_000, 'the failing turn');
        assert.equal(turn.outcome, 'provider-error');
        assert.equal(turn.error, `the model provider answered HTTP ${status} (after 2 attempts): ${message}`);
        assert.equal(server.requests.length, 2, 'one retry, then the error');
      });
    }

    it('retries a 429 once and answers when the provider recovers', async () => {
      const { conversation } = await conversationWith(
        [{ error: { status: 429, message: 'slow down' } }, { text: 'Recovered.' }],
        profileTools(),
        { maxRetries: 1 },
      );
      const turn = await withTimeout(conversation.runTurn('Hello'), 10_000, 'the turn');
      assert.equal(turn.outcome, 'answered', turn.error);
      assert.equal(turn.text, 'Recovered.');
    });

    it('reports an unreachable provider in one line', async () => {
      const server = await provider.start([]);
      await server.close();
      const { model } = chooseModel({
        provider: provider.name,
        baseUrl: server.baseUrl,
        model: 'm',
        env: provider.env,
      });
      const conversation = new Conversation({
        model,
        tools: profileTools(),
        endpoint: server.baseUrl,
        maxRetries: 0,
        ask: async () => ({ action: 'decline' }),
      });
      const turn = await withTimeout(conversation.runTurn('Hello'), 10_000, 'the turn');
      assert.equal(turn.outcome, 'provider-error');
      assert.match(turn.error ?? '', new RegExp(`^the model provider at ${server.baseUrl} is unreachable: `));
    });

    it('stops on tool arguments that are not JSON: reported, not run, no further request', async () => {
      const tools = profileTools();
      const { conversation, server } = await conversationWith(
        [
          { toolCalls: [{ name: 'get_customer_profile', arguments: '{"customerId": "C-1' }] },
          { text: 'unreached' },
        ],
        tools,
      );
      const turn = await withTimeout(conversation.runTurn('Profile?'), 5000, 'the turn');
      assert.equal(turn.outcome, 'malformed-tool-call');
      assert.match(
        turn.error ?? '',
        /^the model sent malformed arguments for "get_customer_profile": .+; the turn stopped$/,
      );
      assert.equal(tools.calls.length, 0);
      assert.equal(server.requests.length, 1);
      assert.equal(turn.toolCalls[0]?.isError, true);
    });

    it('stops on a call to a tool that does not exist', async () => {
      const tools = profileTools();
      const { conversation, server } = await conversationWith(
        [{ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'unreached' }],
        tools,
      );
      const turn = await withTimeout(conversation.runTurn('Go'), 5000, 'the turn');
      assert.equal(turn.outcome, 'malformed-tool-call');
      assert.equal(turn.error, 'the model called an unknown tool "delete_everything"; the turn stopped');
      assert.equal(server.requests.length, 1);
    });

    it("counts the turn's tokens: the provider's input and output, and the tool definitions (o200k)", async () => {
      const tools = profileTools();
      const { conversation } = await conversationWith(
        [
          {
            toolCalls: [{ name: 'get_customer_profile', arguments: { customerId: 'C-2' } }],
            usage: { input: 1200, output: 31 },
          },
          { text: 'Done.', usage: { input: 1350, output: 12 } },
        ],
        tools,
      );
      const turn = await conversation.runTurn('Profile of C-2?');
      const definitions = JSON.stringify(
        tools.tools().map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema })),
      );
      const perRequest = countTokens(definitions);
      assert.deepEqual(turn.tokens, {
        input: 2550,
        output: 43,
        toolDefinitions: perRequest * 2,
        toolDefinitionsPerRequest: perRequest,
        toolDefinitionsCountedWith: 'o200k_base',
        requests: 2,
      });
    });

    it("puts a tool's confirmation question to the UI and shows its status", async () => {
      const questions: UserQuestion[] = [];
      const tools = functionToolSource({
        transfer: {
          description: 'Move money',
          run: async (args, options) => {
            options.onStatus?.({ kind: 'awaiting-approval', message: 'waiting for your answer' });
            const answer = await options.ask({ message: `Transfer ${args.amount}?`, tool: 'transfer' });
            return answer.action === 'accept' ? 'transferred' : 'not transferred';
          },
        },
      });
      const { conversation, events } = await conversationWith(
        [
          { toolCalls: [{ name: 'transfer', arguments: { amount: 10 } }] },
          { text: (ctx) => `Result: ${ctx.lastToolResult}` },
        ],
        tools,
        {
          ask: async (question) => {
            questions.push(question);
            return { action: 'accept' };
          },
        },
      );
      const turn = await conversation.runTurn('Send 10');
      assert.equal(turn.text, 'Result: transferred');
      assert.deepEqual(questions, [{ message: 'Transfer 10?', tool: 'transfer' }]);
      assert.deepEqual(turn.toolCalls[0]?.statuses, [
        { kind: 'awaiting-approval', message: 'waiting for your answer' },
      ]);
      assert.ok(events.some((e) => e.type === 'tool-status'));
    });
  });
}
