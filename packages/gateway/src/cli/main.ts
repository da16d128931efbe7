/**
 * `gatehouse` — serve | stdio | check | keys | explain | catalog | audit | approvals | pins |
 * sandbox | demo | connect | certs | chat | lantern. Every command answers `--help` (exit 0); a mistake is one line on
 * stderr. Exit codes: 0 ok, 1 runtime failure (or a denied explain, a broken audit chain),
 * 2 invalid config or usage.
 */
import { parseArgs } from 'node:util';
import { runSandboxCli } from '@gatehouse/sandbox';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import { approvalsCommand } from './approvals.ts';
import { remoteApprovalsCommand, wantsGateway } from './approvals-remote.ts';
import { auditCommand } from './audit.ts';
import { type ConfigSource, findConfig } from './config-source.ts';
import { connectCommand } from './connect.ts';
import { addressInUse } from './demo-ports.ts';
import { catalogCommand, explainCommand } from './inspect.ts';
import { keysCommand } from './keys.ts';
import { pinsCommand } from './pins.ts';
import { type ServeOptions, serve, stdio, stdioRefusal } from './serve.ts';
import { CliUsageError, COMMAND_USAGE, CONFIG_COMMANDS, commandUsage, USAGE } from './usage.ts';

/** A mistake in the call or the configuration: its lines on stderr, exit 2. */
class ExitWith extends Error {
  readonly code: number;
  readonly lines: string[];
  constructor(code: number, lines: string[]) {
    super(lines.join('\n'));
    this.code = code;
    this.lines = lines;
  }
}

/** Commands that need no gateway configuration: they parse their own arguments. */
const STANDALONE_COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  sandbox: (argv) =>
    runSandboxCli(argv).catch((error: unknown) => {
      throw (
        addressInUse(
          error,
          'choose another with --port (or GATEHOUSE_SANDBOX_PORT); a running demo has a sandbox of its own',
        ) ?? error
      );
    }),
  connect: (argv) => connectCommand(argv),
  // The demo brings Lantern (and with it the host and a model SDK): loaded only for its command,
  // so a gateway that serves does not carry them (bench/overhead.ts's peak RSS).
  demo: async (argv) => {
    const { demoCommand } = await import('./demo.ts');
    await demoCommand(argv);
  },
  // Certificate making (an X.509 library) loads only for its own command.
  certs: async (argv) => {
    const { certsCommand } = await import('./certs.ts');
    await certsCommand(argv);
  },
  // The host (a model and its loop) loads only for the command that uses it.
  chat: async (argv) => {
    const { chatCommand } = await import('@gatehouse/host/cli');
    process.exitCode = await chatCommand(argv);
  },
  // The reference product, loaded only for its own command.
  lantern: async (argv) => {
    const { runLanternCli } = await import('@gatehouse/lantern/cli');
    await runLanternCli(argv);
  },
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

const GLOBAL_OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  'no-watch': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return error instanceof CliUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'));
}

function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Splits argv into the global options and the command's own arguments. */
function splitArgv(argv: string[]): { globals: string[]; rest: string[] } {
  const globals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (['-c', '--config', '-p', '--port'].includes(arg)) {
      globals.push(arg, argv[++i] ?? '');
    } else if (/^--(config|port)=/.test(arg) || arg === '--no-watch') globals.push(arg);
    else rest.push(arg);
  }
  return { globals, rest };
}

/** `--port N` as a change to apply to every loaded model (the first, and each reload). */
function portOverride(value: string | undefined): (model: GatewayModel) => void {
  if (value === undefined) return () => {};
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliUsageError(`--port must be 0-65535, found ${value}`);
  }
  return (model) => {
    model.server.port = port;
    if (model.server.publicUrl === null) {
      const url = new URL(model.server.resourceUrl);
      url.port = String(port);
      model.server.resourceUrl = url.toString();
    }
  };
}

function loadOrExit(source: ConfigSource): GatewayModel {
  const loaded = loadConfigFile(source.file, source.env);
  if (loaded.ok) return loaded.model;
  const lines = loaded.issues.map(formatIssue);
  if (lines.length > 1) lines.push(`${loaded.issues.length} problem(s) in ${source.file}`);
  throw new ExitWith(2, lines);
}

/** Where the configuration came from, when the user did not name it. */
function announceSource(source: ConfigSource): void {
  if (source.how === 'demo' && source.demo !== undefined) {
    process.stderr.write(
      `gatehouse: using the running demo's configuration ${source.file} (pid ${source.demo.pid})\n`,
    );
  }
}

async function runConfigCommand(command: string, argv: string[]): Promise<number | undefined> {
  const { globals, rest } = splitArgv(argv);
  if (['serve', 'stdio', 'check'].includes(command) && rest.length > 0) {
    throw new CliUsageError(`unexpected argument: ${rest[0]}`, { pointToHelp: true });
  }
  const { values } = parseArgs({ args: globals, options: GLOBAL_OPTIONS });
  const overrides = portOverride(values.port);
  const source = findConfig(values.config, { useDemo: command !== 'serve' && command !== 'stdio' });
  announceSource(source);
  // A running demo's relative paths (its upstreams' scripts) start in its directory.
  if (source.demo !== undefined) process.chdir(source.demo.cwd);
  const model = loadOrExit(source);
  overrides(model);
  const serveOptions: ServeOptions = { configFile: source.file, overrides, watch: !values['no-watch'] };
  switch (command) {
    case 'check':
      process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      if (stdioRefusal(model) !== null) {
        process.stderr.write(
          `${source.file}: warning: auth.stdio is not set: \`gatehouse stdio\` will refuse to start (serve is unaffected)\n`,
        );
      }
      return 0;
    case 'serve':
      await serve(model, serveOptions);
      return undefined;
    case 'stdio': {
      const refusal = stdioRefusal(model);
      if (refusal !== null) throw new ExitWith(2, [`gatehouse stdio: ${source.file}: ${refusal}`]);
      await stdio(model, serveOptions);
      return undefined;
    }
    case 'keys':
      return keysCommand(model, rest);
    case 'explain':
      return explainCommand(model, rest);
    case 'catalog':
      return catalogCommand(model, rest);
    case 'audit':
      return auditCommand(model, rest);
    case 'approvals':
      return approvalsCommand(model, rest);
    default:
      return pinsCommand(model, rest);
  }
}

/** Every failure as one line (a config with several errors: one line each), and its exit code. */
function report(command: string | undefined, error: unknown): never {
  if (error instanceof ExitWith) {
    for (const line of error.lines) process.stderr.write(`${line}\n`);
    process.exit(error.code);
  }
  const who = command === undefined ? 'gatehouse' : `gatehouse ${command}`;
  const message = (error instanceof Error ? error.message : String(error)).replaceAll('\n', '; ');
  if (isUsageError(error)) {
    const pointToHelp = !(error instanceof CliUsageError) || error.pointToHelp;
    const hint = pointToHelp ? ` (see ${who} --help)` : '';
    process.stderr.write(`${who}: ${message}${hint}\n`);
    process.exit(2);
  }
  process.stderr.write(`${who}: ${message}\n`);
  if (process.env.GATEHOUSE_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...afterCommand] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'help') {
    const topic = afterCommand[0];
    process.stdout.write(topic !== undefined && COMMAND_USAGE[topic] ? commandUsage(topic) : USAGE);
    return;
  }
  if (COMMAND_USAGE[command] === undefined) {
    report(undefined, new CliUsageError(`unknown command: ${command}`, { pointToHelp: true }));
  }
  if (wantsHelp(afterCommand)) {
    process.stdout.write(commandUsage(command));
    return;
  }
  try {
    const standalone = standaloneCommand(command, afterCommand);
    if (standalone !== undefined) return await standalone(afterCommand);
    if (!CONFIG_COMMANDS.has(command)) throw new CliUsageError(`unknown command: ${command}`);
    const code = await runConfigCommand(command, afterCommand);
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    report(command, error);
  }
}
