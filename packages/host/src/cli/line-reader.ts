/**
 * The terminal's lines, one reader for both the chat prompt and a confirmation asked in the
 * middle of a turn (readline over stdin; works the same on a TTY and on a pipe).
 */
import { createInterface, type Interface } from 'node:readline';

export interface LineReader {
  /** Shows `prompt` and resolves with the next line, or undefined once input has ended. */
  next(prompt: string): Promise<string | undefined>;
  /** Called on Ctrl-C typed at the terminal. */
  onInterrupt(listener: () => void): void;
  close(): void;
  readonly interface: Interface;
}

export function lineReader(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): LineReader {
  const terminal = (input as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({ input, output, terminal });
  const queued: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const taker = waiting.shift();
    if (taker === undefined) {
      queued.push(line);
      return;
    }
    // A terminal echoes what was typed; on a pipe, the chat's output shows it instead.
    if (!terminal) output.write(`${line}\n`);
    taker(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const taker of waiting.splice(0)) taker(undefined);
  });
  return {
    interface: rl,
    next(prompt) {
      const line = queued.shift();
      if (line !== undefined) {
        if (!terminal) output.write(`${prompt}${line}\n`);
        return Promise.resolve(line);
      }
      if (ended) return Promise.resolve(undefined);
      rl.setPrompt(prompt);
      rl.prompt(true);
      return new Promise((resolve) => waiting.push(resolve));
    },
    onInterrupt(listener) {
      rl.on('SIGINT', listener);
    },
    close: () => rl.close(),
  };
}

/** y/yes (any case) is yes; anything else, or no answer, is no. */
export function isYes(answer: string | undefined): boolean {
  return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
}
