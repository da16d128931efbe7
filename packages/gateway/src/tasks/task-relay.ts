/**
 * Relaying the `io.modelcontextprotocol/tasks` extension (2026-07-28 era). The gateway runs no
 * tasks of its own: an upstream decides to answer a call with a task, the gateway hands the
 * client a sealed id naming that upstream (task-ids.ts), and `tasks/get|update|cancel` are routed
 * back by that id. The extension exists only on the 2026-07-28 revision; a caller that did not
 * declare it gets -32021, as the spec's missing-capability rule says.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { wireError } from '../errors/wire.ts';
import type { GatewayRequest, IdentifiedRequest } from '../pipeline/context.ts';
import { upstreamTimeout } from '../upstream/resilience.ts';
import type { Upstream } from '../upstream/upstream.ts';
import type { TaskIdCodec } from './task-ids.ts';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export const TASK_METHODS = ['tasks/get', 'tasks/update', 'tasks/cancel'] as const;
export type TaskMethod = (typeof TASK_METHODS)[number];

export function isTaskMethod(method: string): method is TaskMethod {
  return (TASK_METHODS as readonly string[]).includes(method);
}

type Json = Record<string, unknown>;

/** Does this request come from a client that declared the tasks extension? */
export function callerDeclaresTasks(req: GatewayRequest): boolean {
  if (req.era !== 'modern') return false;
  return declaresTasks(req.clientCapabilities);
}

function declaresTasks(capabilities: ClientCapabilities | undefined): boolean {
  const extensions = capabilities?.extensions;
  return extensions !== undefined && TASKS_EXTENSION in extensions;
}

/** Capabilities to pass upstream: a 2025-era caller cannot take part in tasks, whatever it says. */
export function capabilitiesForUpstream(req: GatewayRequest): ClientCapabilities | undefined {
  const capabilities = req.clientCapabilities;
  if (req.era === 'modern' || !declaresTasks(capabilities) || capabilities === undefined) return capabilities;
  const { [TASKS_EXTENSION]: _, ...rest } = capabilities.extensions ?? {};
  const { extensions: __, ...others } = capabilities;
  return Object.keys(rest).length > 0 ? { ...others, extensions: rest } : others;
}

/** Does this upstream serve the extension (so the gateway may advertise it)? */
export function upstreamOffersTasks(upstream: Upstream): boolean {
  if (upstream.state !== 'ready' || upstream.era !== 'modern') return false;
  const extensions = upstream.capabilities.extensions;
  return extensions !== undefined && TASKS_EXTENSION in extensions;
}

export function missingTasksCapability(method: string): Error {
  return wireError('MissingRequiredClientCapability', `${method} requires the ${TASKS_EXTENSION} extension`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/**
 * The CreateTaskResult an upstream returned, as the client sees it: the same fields with the
 * sealed id. A task for a caller that never declared the extension is an upstream fault — the
 * client could not follow it — and is reported as such rather than passed on.
 */
export function relayCreatedTask(
  req: IdentifiedRequest,
  upstream: Upstream,
  task: Json,
  codec: TaskIdCodec,
): Json {
  if (!callerDeclaresTasks(req)) {
    throw wireError(
      'InternalError',
      `upstream "${upstream.name}" answered with a task, but the caller did not declare ${TASKS_EXTENSION}`,
    );
  }
  if (typeof task.taskId !== 'string') {
    throw wireError('InternalError', `upstream "${upstream.name}" returned a task without a taskId`);
  }
  return {
    ...task,
    resultType: 'task',
    taskId: codec.seal({ upstream: upstream.name, taskId: task.taskId, owner: req.principal.id }),
  };
}

const ANY_RESULT = z.looseObject({});

/**
 * Sends a tasks/* request, already renamed to the upstream's task id, and maps the answer back:
 * `tasks/get` carries the task id, which becomes the sealed one again.
 */
export async function sendTaskMethod(
  req: GatewayRequest,
  upstream: Upstream,
  params: Json,
  sealedId: string,
): Promise<Json> {
  const result: Json = await upstream.use(
    (client, signal) =>
      client.request({ method: req.method, params } as never, ANY_RESULT, {
        signal,
        timeout: upstreamTimeout(upstream),
      }),
    // Reading or cancelling a task may be repeated; answering one (tasks/update) may not.
    { signal: req.signal, retryable: req.method !== 'tasks/update' },
  );
  return typeof result.taskId === 'string' ? { ...result, taskId: sealedId } : result;
}
