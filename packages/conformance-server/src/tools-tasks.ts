/**
 * Fixtures of the `io.modelcontextprotocol/tasks` extension scenarios (SEP-2663), served
 * on the 2026-07-28 era only: the fixture tools and the `tasks/get`, `tasks/update` and
 * `tasks/cancel` methods. A task is created only when the request declares the extension
 * in `_meta["io.modelcontextprotocol/clientCapabilities"].extensions`; otherwise
 * task-optional tools run synchronously and task-required tools fail with -32021.
 */
import {
  acceptedContent,
  type CallToolResult,
  type ElicitRequestFormParams,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import { type ConformanceDeps, declaredCapabilities, textResult } from './context.ts';
import { TASKS_EXTENSION_ID, type TaskJob, type TaskStore, type TaskView } from './tasks.ts';

type ToolResult = CallToolResult | InputRequiredResult;

function tasksDeclared(ctx: ServerContext): boolean {
  const extensions = declaredCapabilities(ctx)?.extensions;
  return typeof extensions === 'object' && extensions !== null && TASKS_EXTENSION_ID in extensions;
}

const MISSING_TASKS_CAPABILITY = { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } };

/** Throws -32021 naming the tasks extension when the request did not declare it. */
function requireTasks(ctx: ServerContext): void {
  if (!tasksDeclared(ctx)) throw new MissingRequiredClientCapabilityError(MISSING_TASKS_CAPABILITY);
}

/** Tools that cannot run without a task (taskSupport "required"). */
export const TASK_REQUIRED_TOOLS: ReadonlySet<string> = new Set([
  'failing_job',
  'protocol_error_job',
  'confirm_delete',
  'multi_input',
  'test_tool_with_task',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pre-dispatch gate for 2026-07-28 `tools/call` requests (HTTP entry): a task-required
 * tool called without the tasks extension in the request's declared client capabilities
 * is answered with -32021 (HTTP 400) naming the extension. It runs before the SDK because
 * McpServer reports errors thrown by tool callbacks as `isError` tool results.
 */
export function taskSupportRejection(body: unknown): Response | undefined {
  if (!isRecord(body) || body.method !== 'tools/call' || !isRecord(body.params)) return undefined;
  const { name, _meta: meta } = body.params;
  if (typeof name !== 'string' || !TASK_REQUIRED_TOOLS.has(name)) return undefined;
  const declared = isRecord(meta) ? meta['io.modelcontextprotocol/clientCapabilities'] : undefined;
  const extensions = isRecord(declared) ? declared.extensions : undefined;
  if (isRecord(extensions) && TASKS_EXTENSION_ID in extensions) return undefined;
  const error = new MissingRequiredClientCapabilityError(MISSING_TASKS_CAPABILITY);
  return Response.json(
    {
      jsonrpc: '2.0',
      id: body.id ?? null,
      error: { code: error.code, message: error.message, data: error.data },
    },
    { status: 400 },
  );
}

/**
 * The flat CreateTaskResult (`resultType: "task"` plus the Task fields). `content` is
 * empty: the SDK's tools/call seam requires the field, the result lives on `tasks/get`.
 */
function createTaskResult(store: TaskStore, job: TaskJob): CallToolResult {
  const view: TaskView = store.start(job);
  return { ...view, resultType: 'task', content: [] };
}

/** Runs a task-optional job: as a task when the extension is declared, inline otherwise. */
async function runOptional(store: TaskStore, ctx: ServerContext, job: TaskJob): Promise<ToolResult> {
  if (tasksDeclared(ctx)) return createTaskResult(store, job);
  const inline = new AbortController();
  return job({
    signal: inline.signal,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    requestInput: () =>
      Promise.reject(new ProtocolError(ProtocolErrorCode.InvalidRequest, 'input needs a task')),
  });
}

const CONFIRM_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: { confirm: { type: 'boolean', description: 'Confirm the operation' } },
  required: ['confirm'],
};

/** Registers the task fixture tools and the tasks/* methods. */
export function registerTaskTools(server: McpServer, deps: ConformanceDeps): void {
  const store = deps.tasks;

  server.registerTool(
    'greet',
    { description: 'Synchronous only: greets by name', inputSchema: z.object({ name: z.string() }) },
    async ({ name }): Promise<ToolResult> => textResult(`Hello, ${name}!`),
  );

  server.registerTool(
    'slow_compute',
    {
      description:
        'Task-optional: sleeps `seconds` then reports; runs as a task when the client supports tasks',
      inputSchema: z.object({ seconds: z.number().min(0).max(600).default(1), label: z.string().optional() }),
    },
    async ({ seconds, label }, ctx): Promise<ToolResult> =>
      runOptional(store, ctx, async (job) => {
        await job.sleep(seconds * 1000);
        return textResult(
          `slow_compute${label === undefined ? '' : ` (${label})`} finished after ${seconds} s`,
        );
      }),
  );

  server.registerTool(
    'failing_job',
    {
      description: 'Task-required: reports a tool execution error after about a second',
      inputSchema: z.object({}),
    },
    async (_args, ctx): Promise<ToolResult> => {
      requireTasks(ctx);
      return createTaskResult(store, async (job) => {
        await job.sleep(1000);
        return textResult('failing_job failed as designed', true);
      });
    },
  );

  server.registerTool(
    'protocol_error_job',
    { description: 'Task-required: fails with a protocol-level error', inputSchema: z.object({}) },
    async (_args, ctx): Promise<ToolResult> => {
      requireTasks(ctx);
      return createTaskResult(store, async (job) => {
        await job.sleep(200);
        throw new ProtocolError(ProtocolErrorCode.InternalError, 'protocol_error_job crashed as designed');
      });
    },
  );

  server.registerTool(
    'confirm_delete',
    {
      description: 'Task-required: asks for confirmation (input_required) before deleting a file',
      inputSchema: z.object({ filename: z.string() }),
    },
    async ({ filename }, ctx): Promise<ToolResult> => {
      requireTasks(ctx);
      return createTaskResult(store, async (job) => {
        const answers = await job.requestInput(
          {
            confirm: inputRequired.elicit({
              message: `Delete ${filename}?`,
              requestedSchema: CONFIRM_SCHEMA,
            }),
          },
          `Waiting for confirmation to delete ${filename}`,
        );
        const confirmed = acceptedContent(answers, 'confirm')?.confirm === true;
        return textResult(confirmed ? `Deleted ${filename}` : `Kept ${filename}`);
      });
    },
  );

  server.registerTool(
    'multi_input',
    {
      description: 'Task-required: asks two questions at once (two pending input requests)',
      inputSchema: z.object({}),
    },
    async (_args, ctx): Promise<ToolResult> => {
      requireTasks(ctx);
      return createTaskResult(store, async (job) => {
        const answers = await job.requestInput(
          {
            first: inputRequired.elicit({ message: 'First question', requestedSchema: CONFIRM_SCHEMA }),
            second: inputRequired.elicit({ message: 'Second question', requestedSchema: CONFIRM_SCHEMA }),
          },
          'Waiting for two answers',
        );
        const kinds = Object.keys(answers).map((key) => `${key}=${inputResponse(answers, key).kind}`);
        return textResult(`multi_input received ${kinds.join(', ')}`);
      });
    },
  );

  server.registerTool(
    'test_tool_with_task',
    {
      description: 'Task-required: gathers the user name via input_required, then completes as a task',
      inputSchema: z.object({}),
    },
    async (_args, ctx): Promise<ToolResult> => {
      requireTasks(ctx);
      const name = acceptedContent(
        ctx.mcpReq.inputResponses,
        'user_name',
        z.object({ name: z.string() }),
      )?.name;
      if (name === undefined) {
        return inputRequired({
          inputRequests: {
            user_name: inputRequired.elicit({
              message: 'What is your name?',
              requestedSchema: {
                type: 'object',
                properties: { name: { type: 'string' } },
                required: ['name'],
              },
            }),
          },
        });
      }
      return createTaskResult(store, async (job) => {
        await job.sleep(300);
        return textResult(`Hello, ${name}! (completed as a task)`);
      });
    },
  );

  registerTaskMethods(server, store);
}

function registerTaskMethods(server: McpServer, store: TaskStore): void {
  const taskIdParams = z.looseObject({ taskId: z.string() });

  server.server.setRequestHandler('tasks/get', { params: taskIdParams }, async ({ taskId }, ctx) => {
    requireTasks(ctx);
    return store.get(taskId);
  });

  server.server.setRequestHandler(
    'tasks/update',
    {
      params: z.looseObject({
        taskId: z.string(),
        inputResponses: z.record(z.string(), z.unknown()).optional(),
      }),
    },
    async ({ taskId, inputResponses }, ctx) => {
      requireTasks(ctx);
      store.update(taskId, inputResponses ?? ctx.mcpReq.inputResponses ?? {});
      return {};
    },
  );

  server.server.setRequestHandler('tasks/cancel', { params: taskIdParams }, async ({ taskId }, ctx) => {
    requireTasks(ctx);
    store.cancel(taskId);
    return {};
  });
}
