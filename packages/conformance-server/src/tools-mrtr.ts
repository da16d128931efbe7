/**
 * Tools for the 2026-07-28 alpha scenarios: multi-round-trip `input_required` results
 * (SEP-2322) and the stateless-server diagnostics (SEP-2575).
 *
 * The handlers are written once in the `input_required` style. On a 2025-era session the
 * SDK's legacy shim fulfils the embedded requests itself (real `elicitation/create` /
 * `sampling/createMessage` / `roots/list` requests on the call's stream) and re-enters the
 * handler, so these tools work in both eras.
 */
import {
  acceptedContent,
  type CallToolResult,
  type ElicitRequestFormParams,
  type InputRequests,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import {
  askElicitation,
  type ConformanceDeps,
  declaredCapabilities,
  type Era,
  isAnswered,
  type StatePayload,
  textResult,
} from './context.ts';

type ToolResult = CallToolResult | InputRequiredResult;

const noArgs = z.object({});

function stringForm(message: string, field: string): ElicitRequestFormParams {
  return {
    message,
    requestedSchema: { type: 'object', properties: { [field]: { type: 'string' } }, required: [field] },
  };
}

const CONFIRM_FORM: ElicitRequestFormParams = {
  message: 'Please confirm',
  requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
};

const NAME_FORM = stringForm('What is your name?', 'name');

/** Reads the verified `requestState` payload of this round, if any. */
function stateOf(ctx: ServerContext): StatePayload | undefined {
  return ctx.mcpReq.requestState<StatePayload>();
}

/** Registers the `test_input_required_result_*` tools. */
export function registerInputRequiredTools(server: McpServer, deps: ConformanceDeps): void {
  const mint = (payload: StatePayload, ctx: ServerContext): Promise<string> =>
    deps.stateCodec.mint(payload, ctx);

  server.registerTool(
    'test_input_required_result_elicitation',
    {
      description: 'MRTR: asks for the caller name through an embedded elicitation request',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const name = acceptedContent(
        ctx.mcpReq.inputResponses,
        'user_name',
        z.object({ name: z.string() }),
      )?.name;
      if (name === undefined)
        return inputRequired({ inputRequests: { user_name: inputRequired.elicit(NAME_FORM) } });
      return textResult(`Hello, ${name}!`);
    },
  );

  server.registerTool(
    'test_input_required_result_sampling',
    {
      description: 'MRTR: asks for an LLM completion through an embedded sampling request',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const view = inputResponse(ctx.mcpReq.inputResponses, 'capital_question');
      if (view.kind !== 'sampling') {
        return inputRequired({
          inputRequests: {
            capital_question: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
              maxTokens: 100,
            }),
          },
        });
      }
      const content = Array.isArray(view.result.content) ? view.result.content[0] : view.result.content;
      return textResult(
        `Sampling answered: ${content?.type === 'text' ? content.text : '(non-text content)'}`,
      );
    },
  );

  server.registerTool(
    'test_input_required_result_list_roots',
    {
      description: 'MRTR: asks for the client roots through an embedded roots/list request',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const view = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
      if (view.kind !== 'roots')
        return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
      return textResult(`Client roots: ${view.roots.map((root) => root.uri).join(', ') || '(none)'}`);
    },
  );

  server.registerTool(
    'test_input_required_result_request_state',
    {
      description: 'MRTR: round-trips HMAC-protected requestState next to a confirmation',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const state = stateOf(ctx);
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, 'confirm');
      if (state?.tool === 'request_state' && confirmed !== undefined) {
        return textResult('state-ok: the echoed requestState passed integrity verification');
      }
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit(CONFIRM_FORM) },
        requestState: await mint({ tool: 'request_state' }, ctx),
      });
    },
  );

  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'MRTR: asks for elicitation, sampling and roots input in one round', inputSchema: noArgs },
    async (_args, ctx): Promise<ToolResult> => {
      const responses = ctx.mcpReq.inputResponses;
      const name = acceptedContent(responses, 'user_name', z.object({ name: z.string() }))?.name;
      const greeting = inputResponse(responses, 'greeting');
      const roots = inputResponse(responses, 'client_roots');
      if (stateOf(ctx)?.tool === 'multiple_inputs' && name !== undefined) {
        if (greeting.kind === 'sampling' && roots.kind === 'roots') {
          return textResult(`All inputs received for ${name} (${roots.roots.length} root(s)).`);
        }
      }
      return inputRequired({
        inputRequests: {
          user_name: inputRequired.elicit(NAME_FORM),
          greeting: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
            maxTokens: 50,
          }),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await mint({ tool: 'multiple_inputs' }, ctx),
      });
    },
  );

  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'MRTR: two elicitation rounds with evolving requestState', inputSchema: noArgs },
    async (_args, ctx): Promise<ToolResult> => {
      const state = stateOf(ctx);
      const round = state?.tool === 'multi_round' && typeof state.round === 'number' ? state.round : 0;
      const responses = ctx.mcpReq.inputResponses;
      if (round === 1) {
        const name = acceptedContent(responses, 'step1', z.object({ name: z.string() }))?.name;
        if (name !== undefined) {
          return inputRequired({
            inputRequests: {
              step2: inputRequired.elicit(stringForm('Step 2: What is your favorite color?', 'color')),
            },
            requestState: await mint({ tool: 'multi_round', round: 2, name }, ctx),
          });
        }
      }
      if (round === 2) {
        const color = acceptedContent(responses, 'step2', z.object({ color: z.string() }))?.color;
        if (color !== undefined)
          return textResult(`Multi-round complete: ${String(state?.name)} likes ${color}.`);
      }
      return inputRequired({
        inputRequests: { step1: inputRequired.elicit(stringForm('Step 1: What is your name?', 'name')) },
        requestState: await mint({ tool: 'multi_round', round: 1 }, ctx),
      });
    },
  );

  server.registerTool(
    'test_input_required_result_tampered_state',
    {
      description: 'MRTR: a retry whose requestState fails verification is rejected with -32602',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      if (stateOf(ctx)?.tool === 'tampered_state' && acceptedContent(ctx.mcpReq.inputResponses, 'confirm')) {
        return textResult('integrity-ok: the requestState was not modified');
      }
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit(CONFIRM_FORM) },
        requestState: await mint({ tool: 'tampered_state' }, ctx),
      });
    },
  );

  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'MRTR: only embeds requests the declared client capabilities cover', inputSchema: noArgs },
    async (_args, ctx): Promise<ToolResult> => {
      if (ctx.mcpReq.inputResponses !== undefined) return textResult('Capability-scoped inputs received.');
      const declared = declaredCapabilities(ctx);
      const inputRequests: InputRequests = {};
      if (declared?.elicitation !== undefined) inputRequests.user_name = inputRequired.elicit(NAME_FORM);
      if (declared?.sampling !== undefined) {
        inputRequests.greeting = inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }],
          maxTokens: 20,
        });
      }
      if (declared?.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots();
      if (Object.keys(inputRequests).length === 0)
        return textResult('No declared capability allows an input request.');
      return inputRequired({ inputRequests });
    },
  );
}

/** Registers the SEP-2575 diagnostics used by the `server-stateless` scenario. */
export function registerStatelessDiagnostics(server: McpServer, era: Era, deps: ConformanceDeps): void {
  server.registerTool(
    'test_missing_capability',
    {
      description: 'Needs the sampling client capability; without it the call fails with -32021',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const view = inputResponse(ctx.mcpReq.inputResponses, 'probe');
      if (view.kind === 'sampling') return textResult('Sampling capability confirmed.');
      return inputRequired({
        inputRequests: {
          probe: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Reply with OK' } }],
            maxTokens: 8,
          }),
        },
      });
    },
  );

  server.registerTool(
    'test_streaming_elicitation',
    {
      description: 'Elicits a confirmation; the response stream carries only the (input_required) result',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const answer = await askElicitation(ctx, era, 'stream_confirm', CONFIRM_FORM);
      if (!isAnswered(answer)) return answer;
      return textResult(`Streaming elicitation answered: action=${answer.value.action}`);
    },
  );

  server.registerTool(
    'test_logging_tool',
    {
      description: 'Logs one info message; delivered only when the request asked for a log level',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran', 'test_logging_tool');
      return textResult('Logging tool finished.');
    },
  );

  server.registerTool(
    'test_trigger_tool_change',
    {
      description: 'Announces a tools/list change to listeners (subscriptions/listen or session)',
      inputSchema: noArgs,
    },
    async (): Promise<ToolResult> => {
      deps.bus.publish({ kind: 'tools_list_changed' });
      if (era === 'legacy') server.sendToolListChanged();
      return textResult('tools/list_changed announced.');
    },
  );

  server.registerTool(
    'test_trigger_prompt_change',
    {
      description: 'Announces a prompts/list change to listeners (subscriptions/listen or session)',
      inputSchema: noArgs,
    },
    async (): Promise<ToolResult> => {
      deps.bus.publish({ kind: 'prompts_list_changed' });
      if (era === 'legacy') server.sendPromptListChanged();
      return textResult('prompts/list_changed announced.');
    },
  );
}
