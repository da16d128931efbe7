/**
 * `gatehouse chat`'s arguments, checked before anything connects: where the tools come from (a
 * gateway URL with a key from the environment, or a servers file), which model answers, and
 * whether it is one question (`--prompt`, with `--json` for the transcript) or a conversation.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_STEPS } from '../agent/defaults.ts';
import { TOOL_SEARCH_CHOICES, type ToolSearchChoice } from '../selection/defaults.ts';

/** A mistake in how the command was called: one line, exit 2. */
export class ChatUsageError extends Error {
  override readonly name = 'ChatUsageError';
}

export type ToolOrigin =
  | { kind: 'gateway'; url: string; key: string; keyEnv: string }
  | { kind: 'servers'; file: string; toolSearch: ToolSearchChoice; core: string[] };

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
  'tool-search': { type: 'string' },
  core: { type: 'string' },
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

interface OriginValues {
  url?: string;
  'key-env'?: string;
  servers?: string;
  'tool-search'?: string;
  core?: string;
}

/** `--tool-search` and `--core`, for a servers file (a gateway decides per role, in its config). */
function serversSelection(values: OriginValues): { toolSearch: ToolSearchChoice; core: string[] } {
  const choice = values['tool-search'] ?? 'auto';
  if (!(TOOL_SEARCH_CHOICES as readonly string[]).includes(choice))
    throw new ChatUsageError(`--tool-search must be auto, on or off, found ${choice}`);
  const core = (values.core ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (values.core !== undefined && core.length === 0)
    throw new ChatUsageError('--core is empty: give tool names, e.g. --core weather__get_weather');
  if (core.length > 0 && choice === 'off')
    throw new ChatUsageError(
      '--core lists tools besides search_tools and call_tool: it needs --tool-search on or auto',
    );
  return { toolSearch: choice as ToolSearchChoice, core };
}

function toolOrigin(values: OriginValues, env: NodeJS.ProcessEnv): ToolOrigin {
  if (values.url !== undefined && values.servers !== undefined) {
    throw new ChatUsageError('give either --url (a gateway) or --servers (a servers file), not both');
  }
  if (values.servers !== undefined)
    return { kind: 'servers', file: values.servers, ...serversSelection(values) };
  if (values.url === undefined) {
    throw new ChatUsageError('say where the tools are: --url URL (a Gatehouse gateway) or --servers FILE');
  }
  if (values['tool-search'] !== undefined || values.core !== undefined) {
    const flag = values['tool-search'] !== undefined ? '--tool-search' : '--core';
    throw new ChatUsageError(
      `${flag} is for --servers: through a gateway the gateway decides which tools each role is listed (toolSearch in its configuration)`,
    );
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
      tools: { kind: 'servers', file: '', toolSearch: 'auto', core: [] },
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
