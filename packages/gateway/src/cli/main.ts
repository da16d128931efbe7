/**
 * `gatehouse` — serve | stdio | check | keys | explain | catalog | audit | approvals | pins. Exit codes: 0 ok,
 * 1 runtime failure (or a denied explain, a broken audit chain), 2 invalid config or usage.
 */
import { parseArgs } from 'node:util';
import { runSandboxCli } from '@gatehouse/sandbox';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import { approvalsCommand } from './approvals.ts';
import { remoteApprovalsCommand, wantsGateway } from './approvals-remote.ts';
import { auditCommand } from './audit.ts';
import { connectCommand } from './connect.ts';
import { demoCommand } from './demo.ts';
import { catalogCommand, explainCommand } from './inspect.ts';
import { keysCommand } from './keys.ts';
import { pinsCommand } from './pins.ts';
import { type ServeOptions, serve, stdio } from './serve.ts';
import { CliUsageError, USAGE } from './usage.ts';

function fail(message: string): never {
  process.stderr.write(`gatehouse: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function loadOrExit(file: string): GatewayModel {
  const loaded = loadConfigFile(file);
  if (loaded.ok) return loaded.model;
  for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.stderr.write(`gatehouse: ${loaded.issues.length} problem(s) in ${file}\n`);
  process.exit(2);
}

/** `--port N` as a change to apply to every loaded model (the first, and each reload). */
function portOverride(value: string | undefined): (model: GatewayModel) => void {
  if (value === undefined) return () => {};
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, found ${value}`);
  return (model) => {
    model.server.port = port;
    if (model.server.publicUrl === null) {
      const url = new URL(model.server.resourceUrl);
      url.port = String(port);
      model.server.resourceUrl = url.toString();
    }
  };
}

const COMMANDS = ['serve', 'stdio', 'check', 'keys', 'explain', 'catalog', 'audit', 'approvals', 'pins'];

/** Commands that need no gateway configuration: they parse their own arguments. */
const STANDALONE_COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  sandbox: (argv) => runSandboxCli(argv),
  connect: (argv) => connectCommand(argv),
  demo: (argv) => demoCommand(argv),
};

/** A command that runs without the gateway's configuration, if this one is. */
function standaloneCommand(command: string, argv: string[]): ((argv: string[]) => Promise<void>) | undefined {
  // Deciding through a gateway (--url) needs a credential, not the gateway's configuration.
  if (command === 'approvals' && wantsGateway(argv)) {
    return async (args) => {
      process.exitCode = await remoteApprovalsCommand(args);
    };
  }
  return STANDALONE_COMMANDS[command];
}

function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return error instanceof CliUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'));
}

const GLOBAL_OPTIONS = {
  config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
  port: { type: 'string', short: 'p' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Splits argv into the global options and the command's own arguments. */
function splitArgv(argv: string[]): { globals: string[]; rest: string[] } {
  const globals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (['-c', '--config', '-p', '--port'].includes(arg)) {
      globals.push(arg, argv[++i] ?? '');
    } else if (/^--(config|port)=/.test(arg) || arg === '-h' || arg === '--help') globals.push(arg);
    else rest.push(arg);
  }
  return { globals, rest };
}

async function run(
  command: string,
  args: string[],
  model: GatewayModel,
  serveOptions: ServeOptions,
): Promise<number | undefined> {
  switch (command) {
    case 'check':
      if (args.length > 0) fail(`unexpected argument: ${args[0]}`);
      process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      return 0;
    case 'serve':
      if (args.length > 0) fail(`unexpected argument: ${args[0]}`);
      await serve(model, serveOptions);
      return undefined;
    case 'stdio':
      if (args.length > 0) fail(`unexpected argument: ${args[0]}`);
      await stdio(model, serveOptions);
      return undefined;
    case 'keys':
      return keysCommand(model, args);
    case 'explain':
      return explainCommand(model, args);
    case 'catalog':
      return catalogCommand(model, args);
    case 'audit':
      return auditCommand(model, args);
    case 'approvals':
      return approvalsCommand(model, args);
    case 'pins':
      return pinsCommand(model, args);
    default:
      fail(`unknown command: ${command}`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...afterCommand] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return;
  }
  const standalone = standaloneCommand(command, afterCommand);
  if (standalone !== undefined) {
    try {
      return await standalone(afterCommand);
    } catch (error) {
      if (isUsageError(error)) fail((error as Error).message);
      throw error;
    }
  }
  if (!COMMANDS.includes(command)) fail(`unknown command: ${command}`);
  const { globals, rest } = splitArgv(afterCommand);
  const takesArguments = !['serve', 'stdio', 'check'].includes(command);
  if (!takesArguments && rest.length > 0) fail(`unexpected argument: ${rest[0]}`);
  let values: { config: string; port?: string | undefined; help?: boolean | undefined };
  try {
    values = parseArgs({ args: globals, options: GLOBAL_OPTIONS }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const model = loadOrExit(values.config);
  const overrides = portOverride(values.port);
  overrides(model);
  try {
    const code = await run(command, rest, model, { configFile: values.config, overrides });
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    if (isUsageError(error)) fail((error as Error).message);
    throw error;
  }
}
