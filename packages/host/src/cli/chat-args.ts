/**
 * `gatehouse chat`'s arguments, checked before anything connects: where the tools come from (a
 * gateway URL with a key from the environment, or a servers file), which model answers, and
 * whether it is one question (`--prompt`, with `--json` for the transcript) or a conversation.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_STEPS } from '../agent/defaults.ts';

/** A mistake in how the command was called: one line, exit 2. */
export class ChatUsageError extends Error {
  override readonly name = 'ChatUsageError';
}

export type ToolOrigin =
  | { kind: 'gateway'; url: string; key: string; keyEnv: string }
  | { kind: 'servers'; file: string };

export interface ChatArgs {
  tools: ToolOrigin;
  provider: string;
  baseUrl?: string;
  model?: string;
  maxSteps: number;
  maxRetries: number;
  prompt?: string;
  json: boolean;
  help: boolean;
}

const OPTIONS = {
  url: { type: 'string' },
  'key-env': { type: 'string' },
  servers: { type: 'string' },
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'max-steps': { type: 'string' },
  'max-retries': { type: 'string' },
  prompt: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ChatUsageError(`--${name} must be a whole number ≥ ${min}, found ${value}`);
  return n;
}

function toolOrigin(
  values: { url?: string; 'key-env'?: string; servers?: string },
  env: NodeJS.ProcessEnv,
): ToolOrigin {
  if (values.url !== undefined && values.servers !== undefined) {
    throw new ChatUsageError('give either --url (a gateway) or --servers (a servers file), not both');
  }
  if (values.servers !== undefined) return { kind: 'servers', file: values.servers };
  if (values.url === undefined) {
    throw new ChatUsageError('say where the tools are: --url URL (a Gatehouse gateway) or --servers FILE');
  }
  const keyEnv = values['key-env'] ?? 'GATEHOUSE_API_KEY';
  const key = env[keyEnv] ?? '';
  if (key.trim() === '') {
    throw new ChatUsageError(
      `no API key for the gateway: ${keyEnv} is empty (set it to a key, or name another variable with --key-env)`,
    );
  }
  return { kind: 'gateway', url: values.url, key, keyEnv };
}

export function parseChatArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ChatArgs {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }));
  } catch (error) {
    throw new ChatUsageError((error as Error).message);
  }
  if (values.help === true) {
    return {
      help: true,
      json: false,
      maxSteps: 0,
      maxRetries: 0,
      provider: '',
      tools: { kind: 'servers', file: '' },
    };
  }
  if (values.json === true && values.prompt === undefined) {
    throw new ChatUsageError('--json prints the transcript of one question: give it with --prompt');
  }
  if (values.prompt !== undefined && values.prompt.trim() === '')
    throw new ChatUsageError('--prompt is empty');
  const args: ChatArgs = {
    tools: toolOrigin(values, env),
    provider: values.provider ?? 'anthropic',
    maxSteps: count('max-steps', values['max-steps'], DEFAULT_MAX_STEPS, 1),
    maxRetries: count('max-retries', values['max-retries'], DEFAULT_MAX_RETRIES, 0),
    json: values.json === true,
    help: false,
  };
  if (values['base-url'] !== undefined) args.baseUrl = values['base-url'];
  if (values.model !== undefined) args.model = values.model;
  if (values.prompt !== undefined) args.prompt = values.prompt;
  return args;
}
