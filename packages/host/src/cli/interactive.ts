/**
 * The chat in the terminal: a prompt, the answer streaming in, tool calls shown as they happen,
 * confirmations asked inline (y/n), the turn's tokens after it. Ctrl-C cancels the running turn
 * (the chat goes on); at the prompt, Ctrl-C, Ctrl-D or /exit leaves.
 */
import type { Conversation } from '../agent/conversation.ts';
import type { UserAnswer, UserQuestion } from '../contract.ts';
import { isYes, type LineReader } from './line-reader.ts';
import { tokensLine } from './render.ts';

export interface InteractiveIo {
  reader: LineReader;
  output: NodeJS.WritableStream;
}

/** A confirmation put to the person at the chat's own prompt. */
export function askInline(io: InteractiveIo): (question: UserQuestion) => Promise<UserAnswer> {
  return async (question) => {
    const answer = await io.reader.next(`? ${question.message} — allow ${question.tool}? [y/n] `);
    if (answer === undefined) return { action: 'cancel' };
    const yes = isYes(answer);
    io.output.write(yes ? '  (allowed)\n' : '  (declined)\n');
    return yes ? { action: 'accept' } : { action: 'decline' };
  };
}

/** Runs the chat until input ends or the person leaves. */
export async function runInteractive(
  conversation: Conversation,
  io: InteractiveIo,
  banner: string,
): Promise<void> {
  let running: AbortController | undefined;
  let leaving = false;
  const interrupt = (): void => {
    if (running !== undefined && !running.signal.aborted) {
      running.abort();
      return;
    }
    leaving = true;
    io.reader.close();
  };
  io.reader.onInterrupt(interrupt);
  // On a pipe there is no terminal to catch Ctrl-C: the signal itself comes to the process.
  process.on('SIGINT', interrupt);
  io.output.write(`${banner}\n`);
  try {
    while (!leaving) {
      const line = await io.reader.next('you> ');
      if (line === undefined || line.trim() === '/exit') break;
      if (line.trim() === '') continue;
      running = new AbortController();
      const turn = await conversation.runTurn(line, running.signal);
      running = undefined;
      if (turn.outcome === 'cancelled') io.output.write('(cancelled)\n');
      else if (turn.error !== undefined) io.output.write(`! ${turn.error}\n`);
      io.output.write(`${tokensLine(turn)}\n`);
    }
  } finally {
    process.off('SIGINT', interrupt);
    io.reader.close();
  }
}
