/**
 * One tool call through a server connection, to its end:
 *
 * - the server's questions go to the person: a 2025-era `elicitation/create` during the call
 *   (in-flight.ts finds the call), a 2026-07-28 `input_required` answer here — the answers are
 *   put to `options.ask` and the call re-sent with them and the server's `requestState`;
 * - a gateway's "awaiting approval" answer is reported as `onStatus({kind:'awaiting-approval'})`
 *   and the same call is made again with backoff (the gateway lets it through once an approver
 *   said yes), until the approval expires, `approvalWaitMs` passes or the signal aborts — then
 *   the gateway's own answer is returned, never a silent hang;
 * - progress notifications become `onStatus({kind:'progress'})` and restart the call's timer.
 *
 * It resolves with whatever the server answered, JSON-RPC errors included (as `isError`), and
 * rejects with a HostError when there was no answer: a timeout, a lost connection, a cancel.
 */
import {
  type Client,
  isInputRequiredResult,
  ProtocolError,
  SdkError,
  SdkErrorCode,
} from '@modelcontextprotocol/client';
import type { CallToolOptions, HostTool, HostToolResult } from '../contract.ts';
import { CallTimer } from './call-timer.ts';
import { httpStatus, networkFailure } from './connect-errors.ts';
import type { ServerConnection } from './connection.ts';
import { HostError, oneLine } from './errors.ts';
import { answerInputRequests } from './questions.ts';
import { errorResult, type PendingApproval, pendingApproval, toHostResult } from './results.ts';

type Json = Record<string, unknown>;

export interface ApprovalWaitOptions {
  /** The longest a call waits for a human approver in all (default 10 minutes). */
  approvalWaitMs?: number;
  /** First pause before asking the gateway again (default 1 s); doubles up to 15 s. */
  approvalPollMs?: number;
}

/** input_required rounds one call may take before the host stops answering. */
const MAX_ROUNDS = 10;
/** The SDK's own request timer is not used: CallTimer is the limit (it pauses while asking). */
const NO_SDK_TIMEOUT = 2_147_483_647;
const MAX_POLL_MS = 15_000;

interface Round {
  inputResponses?: Json;
  requestState?: string;
}

export async function callThrough(
  connection: ServerConnection,
  tool: HostTool,
  args: Record<string, unknown>,
  options: CallToolOptions,
  wait: ApprovalWaitOptions = {},
): Promise<HostToolResult> {
  const started = Date.now();
  let round: Round = {};
  let reported: string | undefined;
  let pollMs = wait.approvalPollMs ?? 1000;
  for (let rounds = 0; ; rounds++) {
    if (rounds > MAX_ROUNDS)
      return errorResult({
        code: -32603,
        message: `${tool.name}: the server kept asking for input (${MAX_ROUNDS} rounds); stopped`,
      });
    const answer = await sendOnce(connection, tool, args, round, options);
    if (!('result' in answer)) return answer.error;
    const result = answer.result;
    round = {};
    if (isInputRequiredResult(result)) {
      const asked = (result as { inputRequests?: Json }).inputRequests ?? {};
      round.inputResponses = await cancellable(
        answerInputRequests(asked, tool.name, options.ask),
        options.signal,
        tool,
      );
      const state = (result as { requestState?: unknown }).requestState;
      if (typeof state === 'string') round.requestState = state;
      continue;
    }
    const pending = pendingApproval(result);
    if (pending === undefined) return toHostResult(result);
    if (reported !== pending.approvalId) {
      reported = pending.approvalId;
      options.onStatus?.({
        kind: 'awaiting-approval',
        message: pending.message,
        approvalId: pending.approvalId,
      });
    }
    if (Date.now() + pollMs > approvalDeadline(pending, started, wait)) return toHostResult(result);
    await sleep(pollMs, options.signal);
    if (options.signal.aborted) throw cancelled(tool, options.signal);
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }
}

function approvalDeadline(pending: PendingApproval, started: number, wait: ApprovalWaitOptions): number {
  const ours = started + (wait.approvalWaitMs ?? 600_000);
  const expires = pending.expiresAt === undefined ? Number.NaN : Date.parse(pending.expiresAt);
  return Number.isNaN(expires) ? ours : Math.min(ours, expires);
}

function cancelled(tool: HostTool, signal: AbortSignal): HostError {
  return new HostError('cancelled', `the call to ${tool.name} was cancelled`, { cause: signal.reason });
}

/** Waits for `promise` unless the signal aborts first. */
function cancellable<T>(promise: Promise<T>, signal: AbortSignal, tool: HostTool): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled(tool, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(tool, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

type Answer = { result: Json } | { error: HostToolResult };

async function sendOnce(
  connection: ServerConnection,
  tool: HostTool,
  args: Record<string, unknown>,
  round: Round,
  options: CallToolOptions,
): Promise<Answer> {
  const timeoutMs = connection.settings.timeoutMs;
  const timer = new CallTimer(timeoutMs, options.signal);
  let client: Client | undefined;
  try {
    client = await connection.ready(timer.signal, (message) =>
      options.onStatus?.({ kind: 'retrying', message }),
    );
    const meta = connection.config.callMeta;
    const params = {
      name: tool.serverToolName,
      arguments: args,
      ...round,
      ...(meta === undefined ? {} : { _meta: meta }),
    };
    const ask: CallToolOptions['ask'] = async (question) => {
      timer.pause();
      try {
        return await cancellable(options.ask(question), options.signal, tool);
      } finally {
        timer.resume();
      }
    };
    const call = { tool: tool.name, ask, pause: () => timer.pause(), resume: () => timer.resume() };
    const live = client;
    const result = await connection.inFlight.run(call, () =>
      live.callTool(params as never, {
        signal: timer.signal,
        timeout: NO_SDK_TIMEOUT,
        allowInputRequired: true,
        // The model reads text, so the result is not checked against the tool's output schema (the
        // SDK would also check an input_required answer against it). The input schema stays: over
        // 2026-07-28 HTTP the SDK mirrors x-mcp-header arguments into headers from it.
        toolDefinition: { name: tool.serverToolName, inputSchema: tool.inputSchema as never },
        onprogress: (progress) => {
          timer.restart();
          options.onStatus?.({
            kind: 'progress',
            progress: progress.progress,
            ...(progress.total === undefined ? {} : { total: progress.total }),
            ...(progress.message === undefined ? {} : { message: progress.message }),
          });
        },
      }),
    );
    return { result: result as Json };
  } catch (error) {
    if (error instanceof HostError) throw error;
    if (options.signal.aborted) throw cancelled(tool, options.signal);
    if (timer.timedOut && connection.state !== 'ready')
      throw new HostError(
        'unavailable',
        `${connection.peer.label} is unavailable (${connection.lastError ?? connection.state}); ${tool.name} was not sent`,
        { cause: error },
      );
    if (timer.timedOut)
      throw new HostError(
        'timeout',
        `${connection.peer.label} did not answer ${tool.name} within ${timeoutMs} ms`,
        { cause: error },
      );
    if (error instanceof ProtocolError) return { error: errorResult(error) };
    if (isConnectionLoss(error, connection)) {
      if (client !== undefined) connection.lost(client);
      throw new HostError(
        'connection-lost',
        `the connection to ${connection.peer.label} dropped during ${tool.name}; it may or may not have run`,
        { cause: error },
      );
    }
    return { error: errorResult({ code: -32603, message: `${tool.name}: ${oneLine(error)}` }) };
  } finally {
    timer.dispose();
  }
}

/** The connection, not the call, failed: the server is gone, or (2025 era) forgot the session. */
function isConnectionLoss(error: unknown, connection: ServerConnection): boolean {
  if (networkFailure(error) !== undefined) return true;
  if (connection.era === 'legacy' && httpStatus(error) === 404) return true;
  if (error instanceof SdkError)
    return [SdkErrorCode.ConnectionClosed, SdkErrorCode.SendFailed, SdkErrorCode.NotConnected].includes(
      error.code,
    );
  return error instanceof TypeError && /fetch failed/.test(error.message);
}

/** Waits `ms`, or less when `signal` aborts (then it resolves; the caller checks the signal). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
