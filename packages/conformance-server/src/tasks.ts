/**
 * In-memory task store for the `io.modelcontextprotocol/tasks` extension (SEP-2663) on
 * the 2026-07-28 era: task records, a job runner, input parking (`input_required` until
 * `tasks/update` answers every pending request) and cancellation.
 */
import { randomUUID } from 'node:crypto';
import {
  type CallToolResult,
  type InputRequests,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';

export const TASKS_EXTENSION_ID = 'io.modelcontextprotocol/tasks';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

interface TaskError {
  code: number;
  message: string;
  data?: unknown;
}

interface TaskRecord {
  readonly taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  readonly createdAt: string;
  lastUpdatedAt: string;
  readonly ttlMs: number;
  readonly pollIntervalMs: number;
  result?: CallToolResult;
  error?: TaskError;
  /** Input requests still waiting for an answer (keyed by server-minted ids). */
  pending: InputRequests;
  /** Answers received through `tasks/update`. */
  readonly answers: Record<string, unknown>;
  readonly abort: AbortController;
  /** Wakes the job when the last pending request is answered. */
  onAnswered?: () => void;
}

/** What a running job can do. */
export interface TaskJobContext {
  readonly signal: AbortSignal;
  /** Sleeps, rejecting when the task is cancelled. */
  sleep(ms: number): Promise<void>;
  /** Parks the task in `input_required` until every request is answered; resolves to the answers. */
  requestInput(requests: InputRequests, statusMessage: string): Promise<Record<string, unknown>>;
}

/** A job: resolves to the tool result (tool errors as `isError`), throws for protocol errors. */
export type TaskJob = (ctx: TaskJobContext) => Promise<CallToolResult>;

/** The `tasks/get` view of a task (DetailedTask) and the CreateTaskResult fields. */
export type TaskView = Record<string, unknown> & { taskId: string; status: TaskStatus };

export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly ttlMs: number;
  private readonly pollIntervalMs: number;

  constructor(options: { ttlMs?: number; pollIntervalMs?: number } = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  /** Creates the task (durably, before returning) and starts its job in the background. */
  start(job: TaskJob): TaskView {
    const now = new Date().toISOString();
    const task: TaskRecord = {
      taskId: randomUUID(),
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: this.ttlMs,
      pollIntervalMs: this.pollIntervalMs,
      pending: {},
      answers: {},
      abort: new AbortController(),
    };
    this.tasks.set(task.taskId, task);
    setTimeout(() => this.expire(task.taskId), this.ttlMs).unref();
    void this.run(task, job);
    return this.baseView(task);
  }

  private async run(task: TaskRecord, job: TaskJob): Promise<void> {
    try {
      const result = await job(this.jobContext(task));
      if (!TERMINAL.has(task.status)) this.settle(task, 'completed', { result });
    } catch (error) {
      if (TERMINAL.has(task.status)) return;
      const code = error instanceof ProtocolError ? error.code : ProtocolErrorCode.InternalError;
      const message = error instanceof Error ? error.message : String(error);
      this.settle(task, 'failed', { error: { code, message } });
    }
  }

  private jobContext(task: TaskRecord): TaskJobContext {
    const signal = task.abort.signal;
    return {
      signal,
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(new Error('task cancelled'));
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('task cancelled'));
          });
        }),
      requestInput: (requests, statusMessage) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          if (signal.aborted) return reject(new Error('task cancelled'));
          task.pending = { ...requests };
          this.touch(task, 'input_required', statusMessage);
          task.onAnswered = () => {
            task.onAnswered = undefined;
            this.touch(task, 'working', undefined);
            resolve({ ...task.answers });
          };
          signal.addEventListener('abort', () => reject(new Error('task cancelled')));
        }),
    };
  }

  private touch(task: TaskRecord, status: TaskStatus, statusMessage: string | undefined): void {
    task.status = status;
    task.statusMessage = statusMessage;
    task.lastUpdatedAt = new Date().toISOString();
  }

  private settle(
    task: TaskRecord,
    status: TaskStatus,
    outcome: { result?: CallToolResult; error?: TaskError },
  ): void {
    task.pending = {};
    task.result = outcome.result;
    task.error = outcome.error;
    this.touch(task, status, undefined);
  }

  private expire(taskId: string): void {
    this.tasks.get(taskId)?.abort.abort();
    this.tasks.delete(taskId);
  }

  private require(taskId: string): TaskRecord {
    const task = this.tasks.get(taskId);
    if (task === undefined) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown taskId: ${taskId}`, { taskId });
    }
    return task;
  }

  private baseView(task: TaskRecord): TaskView {
    return {
      taskId: task.taskId,
      status: task.status,
      ...(task.statusMessage === undefined ? {} : { statusMessage: task.statusMessage }),
      createdAt: task.createdAt,
      lastUpdatedAt: task.lastUpdatedAt,
      ttlMs: task.ttlMs,
      pollIntervalMs: task.pollIntervalMs,
    };
  }

  /** `tasks/get`: the DetailedTask (result / error / pending input requests inlined). */
  get(taskId: string): TaskView {
    const task = this.require(taskId);
    const view = this.baseView(task);
    if (task.status === 'completed' && task.result !== undefined) view.result = task.result;
    if (task.status === 'failed' && task.error !== undefined) view.error = task.error;
    if (task.status === 'input_required') view.inputRequests = task.pending;
    return view;
  }

  /** `tasks/update`: records answers for pending requests (unknown keys are ignored). */
  update(taskId: string, inputResponses: Record<string, unknown>): void {
    const task = this.require(taskId);
    if (task.status !== 'input_required') return;
    const pending = { ...task.pending };
    for (const [key, value] of Object.entries(inputResponses)) {
      if (!(key in pending)) continue;
      task.answers[key] = value;
      delete pending[key];
    }
    task.pending = pending;
    task.lastUpdatedAt = new Date().toISOString();
    if (Object.keys(pending).length === 0) task.onAnswered?.();
  }

  /** `tasks/cancel`: cancels a live task; a no-op on terminal tasks. */
  cancel(taskId: string): void {
    const task = this.require(taskId);
    if (TERMINAL.has(task.status)) return;
    this.settle(task, 'cancelled', {});
    task.abort.abort();
  }

  /** Cancels every live task (server shutdown). */
  cancelAll(): void {
    for (const task of this.tasks.values()) task.abort.abort();
    this.tasks.clear();
  }
}
