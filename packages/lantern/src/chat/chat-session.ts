/**
 * One signed-in user's chat: a conversation (the host library's agent loop) over the tools this
 * user may reach, run one turn at a time. A turn's events and questions go to whoever is
 * listening to that turn (the page's stream); a question waits for the user's answer from the
 * page, and is declined when the turn ends, is cancelled, or nobody answers in time.
 */
import {
  type AgentEvent,
  type ChosenModel,
  Conversation,
  type McpToolSource,
  type TurnRecord,
  type UserAnswer,
  type UserQuestion,
} from '@gatehouse/host';
import { newId } from '../domain/ids.ts';
import { confirmingDestructive } from './confirming-source.ts';

/** How long a question waits for the user before it counts as declined. */
export const QUESTION_TIMEOUT_MS = 5 * 60_000;

export type ChatEvent =
  | AgentEvent
  | { type: 'question'; id: string; message: string; tool: string }
  | { type: 'question-closed'; id: string; action: UserAnswer['action'] };

export type ChatSink = (event: ChatEvent) => void;

interface PendingQuestion {
  resolve(answer: UserAnswer): void;
  timer: NodeJS.Timeout;
}

export class ChatSession {
  readonly #source: McpToolSource;
  readonly #conversation: Conversation;
  readonly #questions = new Map<string, PendingQuestion>();
  #sink: ChatSink | undefined;
  #running = false;
  lastUsed = Date.now();

  constructor(options: {
    source: McpToolSource;
    model: ChosenModel['model'];
    endpoint: string;
    instructions: string;
    maxSteps?: number;
  }) {
    this.#source = options.source;
    this.#conversation = new Conversation({
      model: options.model,
      tools: confirmingDestructive(options.source),
      endpoint: options.endpoint,
      instructions: options.instructions,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ask: (question) => this.#ask(question),
      onEvent: (event) => this.#sink?.(event),
    });
  }

  get running(): boolean {
    return this.#running;
  }

  get turns(): readonly TurnRecord[] {
    return this.#conversation.turns;
  }

  /** The servers this chat reaches and their state (for the page). */
  servers() {
    return this.#source.servers();
  }

  toolNames(): string[] {
    return this.#source.tools().map((t) => t.name);
  }

  /** Runs one turn, sending its events to `sink`; refuses a second turn while one runs. */
  async turn(prompt: string, sink: ChatSink, signal: AbortSignal): Promise<TurnRecord> {
    if (this.#running) throw new Error('a turn is already running in this chat');
    this.#running = true;
    this.#sink = sink;
    this.lastUsed = Date.now();
    try {
      return await this.#conversation.runTurn(prompt, signal);
    } finally {
      this.#sink = undefined;
      this.#running = false;
      this.lastUsed = Date.now();
      for (const id of [...this.#questions.keys()]) this.answer(id, { action: 'cancel' });
    }
  }

  /** The user's answer to question `id`; false when there is no such open question. */
  answer(id: string, answer: UserAnswer): boolean {
    const pending = this.#questions.get(id);
    if (pending === undefined) return false;
    this.#questions.delete(id);
    clearTimeout(pending.timer);
    this.#sink?.({ type: 'question-closed', id, action: answer.action });
    pending.resolve(answer);
    return true;
  }

  #ask(question: UserQuestion): Promise<UserAnswer> {
    const sink = this.#sink;
    if (sink === undefined) return Promise.resolve({ action: 'cancel' });
    const id = newId('q');
    return new Promise<UserAnswer>((resolve) => {
      const timer = setTimeout(() => this.answer(id, { action: 'cancel' }), QUESTION_TIMEOUT_MS);
      timer.unref();
      this.#questions.set(id, { resolve, timer });
      sink({ type: 'question', id, message: question.message, tool: question.tool });
    });
  }

  close(): Promise<void> {
    for (const id of [...this.#questions.keys()]) this.answer(id, { action: 'cancel' });
    return this.#source.close();
  }
}
