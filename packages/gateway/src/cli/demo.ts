/**
 * `gatehouse demo`: the newcomer's one command. Checks that its ports are free before it touches
 * anything, starts the sandbox (loopback stand-ins for the CRM, support desk, billing, weather and
 * platform APIs), then Lantern, the reference product (demo-lantern.ts), then the gateway with the
 * demo configuration — the five domain servers and Lantern's external MCP server as stdio
 * children, embedded storage — with one API key per demo role, kept across restarts (see
 * demo-keys.ts). Each step is reported on stderr as it happens; once /readyz answers, it prints
 * the MCP URL, each role's key and what each role can see, and a Claude Desktop snippet.
 *
 *   gatehouse demo [--config examples/demo/gatehouse.yaml] [--port N] [--sandbox-port N]
 *                  [--lantern-port N] [--lantern-internal-port N] [--rotate-keys]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import type { Gateway } from '../gateway.ts';
import { demoBanner, desktopSnippet, shownPath } from './demo-banner.ts';
import { DEMO_ROLES, type DemoKeys, ensureDemoKeys } from './demo-keys.ts';
import { type DemoLantern, runFirstAutomation, startDemoLantern } from './demo-lantern.ts';
import { demoLogger, progress } from './demo-log.ts';
import { assertPortsFree, busyPortMessage, type DemoPort, PortBusyError } from './demo-ports.ts';
import { announceRunningDemo } from './running-demo.ts';
import { serve } from './serve.ts';
import { CliUsageError } from './usage.ts';

/** The roles, for callers that import them from here (bench/role-tokens.ts). */
export { DEMO_ROLES } from './demo-keys.ts';

const SANDBOX_HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;

interface DemoOptions {
  config: string;
  port: number | undefined;
  sandboxPort: number;
  lanternPort: number;
  lanternInternalPort: number;
  rotateKeys: boolean;
}

function portNumber(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliUsageError(`${name} must be 0-65535, found ${value}`);
  }
  return port;
}

function parseDemoArgs(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c', default: 'examples/demo/gatehouse.yaml' },
      port: { type: 'string', short: 'p' },
      'sandbox-port': { type: 'string', default: process.env.GATEHOUSE_SANDBOX_PORT ?? '7300' },
      'lantern-port': { type: 'string', default: process.env.LANTERN_PORT ?? '7400' },
      'lantern-internal-port': { type: 'string', default: process.env.LANTERN_INTERNAL_PORT ?? '7401' },
      'rotate-keys': {
        type: 'boolean',
        default: ['1', 'true'].includes(process.env.GATEHOUSE_ROTATE_KEYS ?? ''),
      },
    },
    strict: true,
  });
  return {
    config: values.config,
    port: values.port === undefined ? undefined : portNumber('--port', values.port),
    sandboxPort: portNumber('--sandbox-port', values['sandbox-port']),
    lanternPort: portNumber('--lantern-port', values['lantern-port']),
    lanternInternalPort: portNumber('--lantern-internal-port', values['lantern-internal-port']),
    rotateKeys: values['rotate-keys'],
  };
}

function loadDemoConfig(options: DemoOptions): GatewayModel {
  const loaded = loadConfigFile(options.config);
  if (!loaded.ok) throw new CliUsageError(loaded.issues.map(formatIssue).join('\n'));
  const model = loaded.model;
  const missing = DEMO_ROLES.filter((role) => model.policy.roles[role] === undefined);
  if (missing.length > 0)
    throw new CliUsageError(`${options.config} defines no role(s) ${missing.join(', ')}`);
  if (options.port !== undefined) model.server.port = options.port;
  return model;
}

/**
 * One data directory for the gateway and the domain servers it starts (whose relative paths would
 * resolve from the working directory, the gateway's from the config file): GATEHOUSE_DATA_DIR made
 * absolute, or the directory of the configured storage path.
 */
function pinDataDir(model: GatewayModel): void {
  const given = process.env.GATEHOUSE_DATA_DIR;
  process.env.GATEHOUSE_DATA_DIR =
    given !== undefined && given !== '' ? resolve(given) : dirname(model.storage.path);
}

function gatewayPort(model: GatewayModel): DemoPort {
  return {
    role: 'the gateway',
    port: model.server.port,
    host: model.server.host,
    setting: 'GATEHOUSE_PORT or --port',
  };
}

function sandboxPort(options: DemoOptions): DemoPort {
  return {
    role: 'the sandbox',
    port: options.sandboxPort,
    host: SANDBOX_HOST,
    setting: 'GATEHOUSE_SANDBOX_PORT or --sandbox-port',
  };
}

function lanternPorts(options: DemoOptions): DemoPort[] {
  return [
    {
      role: 'Lantern',
      port: options.lanternPort,
      host: SANDBOX_HOST,
      setting: 'LANTERN_PORT or --lantern-port',
    },
    {
      role: "Lantern's internal MCP server",
      port: options.lanternInternalPort,
      host: SANDBOX_HOST,
      setting: 'LANTERN_INTERNAL_PORT or --lantern-internal-port',
    },
  ];
}

async function startLanternFor(
  options: DemoOptions,
  model: GatewayModel,
  keys: DemoKeys,
): Promise<DemoLantern> {
  progress(
    `lantern: starting on ${SANDBOX_HOST}:${options.lanternPort} (internal MCP server on ${options.lanternInternalPort})`,
  );
  const [publicPort] = lanternPorts(options);
  const demo = await startDemoLantern({
    dataDir: dirname(model.storage.path),
    host: SANDBOX_HOST,
    port: options.lanternPort,
    internalPort: options.lanternInternalPort,
    gatewayUrl: `http://${model.server.host}:${model.server.port}${model.server.path}`,
    storagePath: model.storage.path,
    keys,
  }).catch((error: unknown) => exitOnTakenPort(error, publicPort as DemoPort));
  progress(`lantern: ready at ${demo.lantern.url}`);
  return demo;
}

/** False (with the one-line refusal on stderr and exit code 1) when a port is taken. */
async function portsAreFree(ports: DemoPort[]): Promise<boolean> {
  try {
    await assertPortsFree(ports);
    return true;
  } catch (error) {
    if (!(error instanceof PortBusyError)) throw error;
    process.stderr.write(`gatehouse demo: ${error.message}\n`);
    process.exitCode = 1;
    return false;
  }
}

/** A port taken between the check and the listen: the same one line, exit 1 (children go with us). */
function exitOnTakenPort(error: unknown, wanted: DemoPort): never {
  if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
  process.stderr.write(`gatehouse demo: ${busyPortMessage(wanted)}\n`);
  process.exit(1);
}

async function startDemoSandbox(wanted: DemoPort): Promise<RunningSandbox> {
  progress(`sandbox: starting on ${wanted.host}:${wanted.port}`);
  const sandbox = await startSandbox({ port: wanted.port, host: wanted.host }).catch((error: unknown) =>
    exitOnTakenPort(error, wanted),
  );
  process.once('exit', () => void sandbox.close());
  progress(`sandbox: ready at ${sandbox.url} (${sandbox.services.map((s) => s.name).join(', ')})`);
  return sandbox;
}

function reportKeys(keys: DemoKeys): void {
  const where = shownPath(keys.file);
  if (keys.outcome === 'kept') progress(`keys: the demo keys from ${where} still work; keeping them`);
  else if (keys.outcome === 'rotated') progress(`keys: new demo keys, as asked (saved to ${where})`);
  else progress(`keys: new demo keys for ${keys.created.join(', ')} (saved to ${where})`);
}

/** Reports each upstream as its first connection attempt ends. */
async function waitForUpstreams(gateway: Gateway, timeoutMs: number): Promise<void> {
  const total = gateway.upstreams.length;
  progress(`upstreams: starting ${total} (${gateway.upstreams.map((u) => u.name).join(', ')})`);
  const reported = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (reported.size < total && Date.now() < deadline) {
    for (const upstream of gateway.upstreams) {
      if (reported.has(upstream.name) || upstream.state === 'idle' || upstream.state === 'connecting')
        continue;
      reported.add(upstream.name);
      const detail =
        upstream.state === 'ready' ? 'ready' : `${upstream.state} (${upstream.lastError ?? 'no detail'})`;
      progress(`upstreams: ${upstream.name} ${detail} (${reported.size}/${total})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves true once GET /readyz answers 200, false after `timeoutMs`. */
async function waitForReadyz(url: string, timeoutMs: number): Promise<boolean> {
  const readyz = new URL('/readyz', url);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(readyz).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function startGateway(
  model: GatewayModel,
  options: DemoOptions,
  logFile: string,
  afterStop: () => Promise<void>,
) {
  progress(`gateway: starting on ${model.server.host}:${model.server.port} (log: ${shownPath(logFile)})`);
  try {
    return await serve(model, {
      configFile: options.config,
      overrides: (m) => {
        if (options.port !== undefined) m.server.port = options.port;
      },
      log: demoLogger(model.logging.level, logFile),
      announce: false,
      afterStop,
    });
  } catch (error) {
    exitOnTakenPort(error, gatewayPort(model));
  }
}

export async function demoCommand(argv: string[]): Promise<void> {
  const options = parseDemoArgs(argv);
  const configured = loadDemoConfig(options);
  pinDataDir(configured);
  if (!(await portsAreFree([gatewayPort(configured), sandboxPort(options), ...lanternPorts(options)])))
    return;
  const sandbox = await startDemoSandbox(sandboxPort(options));
  process.env.GATEHOUSE_SANDBOX_URL = sandbox.url;
  // Read again with the data directory pinned and the sandbox's address in the environment.
  const pinned = loadDemoConfig(options);
  const keys = ensureDemoKeys(pinned.storage.path, { rotate: options.rotateKeys });
  reportKeys(keys);
  const lantern = await startLanternFor(options, pinned, keys);
  // And again: Lantern's address and the upstream's token are in the environment now.
  const model = loadDemoConfig(options);
  const dataDir = dirname(model.storage.path);
  const logFile = join(dataDir, 'gatehouse.log');
  // Stopped after the gateway (which calls them): Lantern's database is closed, not left mid-write.
  const { gateway, url } = await startGateway(model, options, logFile, async () => {
    await lantern.lantern.close();
    await sandbox.close();
  });
  announceRunningDemo({ configFile: options.config, url, sandboxUrl: sandbox.url });
  await waitForUpstreams(gateway, READY_TIMEOUT_MS);
  const ready = await waitForReadyz(url, READY_TIMEOUT_MS);
  progress(
    ready ? `gateway: ready (${new URL('/readyz', url)} answers 200)` : 'gateway: not ready yet; see /readyz',
  );
  if (lantern.lantern.automation !== undefined) {
    progress(`lantern: ${lantern.lantern.automation.identity}: first run`);
    const outcome = await runFirstAutomation(lantern);
    progress(`lantern: ${lantern.lantern.automation.identity}: ${outcome}`);
  }
  const snippetFile = join(dataDir, 'claude_desktop_config.json');
  writeFileSync(snippetFile, `${desktopSnippet(url, keys.keys.get('sales')?.key ?? '')}\n`, { mode: 0o600 });
  process.stdout.write(demoBanner({ gateway, url, sandbox, keys, dataDir, logFile, snippetFile, lantern }));
  sayWhenStopping();
}

/** The console hears when the demo stops, not only its log file. */
function sayWhenStopping(): void {
  const stopping = () =>
    progress('stopping: finishing calls in flight, then the upstreams, Lantern and the sandbox');
  process.once('SIGTERM', stopping);
  process.once('SIGINT', stopping);
  process.once('exit', (code) => progress(code === 0 ? 'stopped' : `stopped (exit code ${code})`));
}
