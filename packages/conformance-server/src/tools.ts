/**
 * Tools exercised by the 2025-era server scenarios (conformance 0.1.x and the alpha's
 * 2025-11-25 requirement set) and carried forward into 2026-07-28.
 *
 * Names, payloads and texts follow the scenario descriptions of
 * `modelcontextprotocol/conformance` (src/scenarios/server/*.ts).
 */
import {
  type CallToolResult,
  type ElicitRequestFormParams,
  fromJsonSchema,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import { askElicitation, askSampling, type Era, isAnswered, textResult } from './context.ts';
import { JSON_SCHEMA_2020_12_INPUT, PNG_BASE64, sleep, WAV_BASE64 } from './fixtures.ts';

type ToolResult = CallToolResult | InputRequiredResult;

const noArgs = z.object({});

/** Registers the content, logging, progress, error, sampling, elicitation and schema tools. */
export function registerBasicTools(server: McpServer, era: Era): void {
  registerContentTools(server);
  registerNotifyingTools(server);
  registerClientRequestTools(server, era);
  registerSchemaTools(server);
}

function registerContentTools(server: McpServer): void {
  server.registerTool(
    'test_simple_text',
    { description: 'Returns a single text content block' },
    async (): Promise<ToolResult> => textResult('This is a simple text response for testing.'),
  );

  server.registerTool(
    'test_image_content',
    { description: 'Returns a single PNG image content block' },
    async (): Promise<ToolResult> => ({
      content: [{ type: 'image', data: PNG_BASE64, mimeType: 'image/png' }],
    }),
  );

  server.registerTool(
    'test_audio_content',
    { description: 'Returns a single WAV audio content block' },
    async (): Promise<ToolResult> => ({
      content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
    }),
  );

  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded text resource' },
    async (): Promise<ToolResult> => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, image and embedded JSON resource content together' },
    async (): Promise<ToolResult> => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_error_handling',
    { description: 'Always fails; the failure is reported as a tool result with isError: true' },
    async (): Promise<ToolResult> => {
      throw new Error('This tool intentionally returns an error for testing');
    },
  );
}

function registerNotifyingTools(server: McpServer): void {
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Emits three info-level log notifications about 50 ms apart', inputSchema: noArgs },
    async (_args, ctx): Promise<ToolResult> => {
      const steps = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
      for (const [index, message] of steps.entries()) {
        if (index > 0) await sleep(50);
        await ctx.mcpReq.log('info', message, 'test_tool_with_logging');
      }
      return textResult('Logging tool finished after three log notifications.');
    },
  );

  server.registerTool(
    'test_tool_with_progress',
    {
      description: "Reports progress 0, 50 and 100 of 100 on the caller's progress token",
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100, message: `Progress ${progress}%` },
          });
        }
        if (progress < 100) await sleep(50);
      }
      return textResult(`Progress tool finished (token: ${String(progressToken ?? 'none')}).`);
    },
  );

  server.registerTool(
    'test_reconnection',
    {
      description:
        'Closes the SSE stream of this call mid-flight (SEP-1699); the result arrives after the client resumes with Last-Event-ID',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> => {
      const closeStream = ctx.http?.closeSSE;
      if (closeStream !== undefined) {
        await sleep(50);
        closeStream();
      }
      await sleep(200);
      return textResult(
        'Reconnection test completed: the result was delivered after the stream was resumed.',
      );
    },
  );
}

const ELICITATION_DEFAULTS_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Full name', default: 'John Doe' },
    age: { type: 'integer', description: 'Age in years', default: 30 },
    score: { type: 'number', description: 'Score', default: 95.5 },
    status: {
      type: 'string',
      description: 'Account status',
      enum: ['active', 'inactive', 'pending'],
      default: 'active',
    },
    verified: { type: 'boolean', description: 'Whether the account is verified', default: true },
  },
  required: [],
};

const ELICITATION_ENUMS_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', description: 'Pick one', enum: ['option1', 'option2', 'option3'] },
    titledSingle: {
      type: 'string',
      description: 'Pick one (titled)',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: {
      type: 'string',
      description: 'Pick one (legacy enumNames)',
      enum: ['opt1', 'opt2', 'opt3'],
      enumNames: ['Option One', 'Option Two', 'Option Three'],
    },
    untitledMulti: {
      type: 'array',
      description: 'Pick several',
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array',
      description: 'Pick several (titled)',
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
  required: [],
};

function registerClientRequestTools(server: McpServer, era: Era): void {
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client for an LLM completion (sampling/createMessage, maxTokens 100)',
      inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
    },
    async ({ prompt }, ctx): Promise<ToolResult> => {
      const answer = await askSampling(ctx, era, 'llm_response', {
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: 100,
      });
      return isAnswered(answer) ? textResult(`LLM response: ${answer.value}`) : answer;
    },
  );

  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user for input (elicitation/create) and echoes the answer',
      inputSchema: z.object({ message: z.string().describe('The message to show the user') }),
    },
    async ({ message }, ctx): Promise<ToolResult> =>
      elicitAndReport(ctx, era, 'user_input', 'User response', {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      }),
  );

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    {
      description: 'Elicits a form whose primitive fields all carry defaults (SEP-1034)',
      inputSchema: noArgs,
    },
    async (_args, ctx): Promise<ToolResult> =>
      elicitAndReport(ctx, era, 'defaults_form', 'Elicitation completed', {
        message: 'Please review the pre-filled fields',
        requestedSchema: ELICITATION_DEFAULTS_SCHEMA,
      }),
  );

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits a form using all five enum schema variants (SEP-1330)', inputSchema: noArgs },
    async (_args, ctx): Promise<ToolResult> =>
      elicitAndReport(ctx, era, 'enums_form', 'Elicitation completed', {
        message: 'Please choose from the enumerated fields',
        requestedSchema: ELICITATION_ENUMS_SCHEMA,
      }),
  );
}

async function elicitAndReport(
  ctx: ServerContext,
  era: Era,
  key: string,
  label: string,
  params: ElicitRequestFormParams,
): Promise<ToolResult> {
  const answer = await askElicitation(ctx, era, key, params);
  if (!isAnswered(answer)) return answer;
  const content = JSON.stringify(answer.value.content ?? {});
  return textResult(`${label}: action=${answer.value.action}, content=${content}`);
}

/** SEP-2243: `region` is mirrored into the `Mcp-Param-Region` request header. */
const MCP_PARAM_HEADER_INPUT = {
  type: 'object',
  properties: {
    region: { type: 'string', description: 'Deployment region', 'x-mcp-header': 'Region' },
    count: { type: 'integer', description: 'Not mirrored into a header' },
  },
} as const;

function registerSchemaTools(server: McpServer): void {
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Declares a JSON Schema 2020-12 input schema that must survive tools/list unchanged',
      inputSchema: fromJsonSchema<Record<string, unknown>>(JSON_SCHEMA_2020_12_INPUT),
    },
    async (args): Promise<ToolResult> =>
      textResult(`json_schema_2020_12_tool received ${JSON.stringify(args)}`),
  );

  server.registerTool(
    'test_mcp_param_header',
    {
      description: 'Mirrors its `region` argument into the Mcp-Param-Region header (SEP-2243 x-mcp-header)',
      inputSchema: fromJsonSchema<{ region?: string; count?: number }>(MCP_PARAM_HEADER_INPUT),
    },
    async ({ region }): Promise<ToolResult> => textResult(`region=${region ?? '(none)'}`),
  );
}
