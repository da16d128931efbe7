/**
 * The gateway the health watch's tests talk to, started as a user starts it: the sandbox's
 * platform API (in this process, so a test can read its action log and turn its fault knobs),
 * and `gatehouse serve` fronting the real platform-ops and knowledge servers as stdio children,
 * with an `automation` role (health, runbooks, deploys, the knowledge base; restarts and
 * rollbacks only through the approval queue, answered at once) and an `admin` approver. Keys
 * are made with `gatehouse keys create`, approvals decided with `gatehouse approvals approve
 * --url`, and the audit read with `gatehouse audit export`. Each test stops only what it started.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

const execFileAsync = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const GATEHOUSE_BIN = here('../../../gateway/bin/gatehouse.mjs');
const PLATFORM_SERVER = here('../../../platform-ops-server/src/main.ts');
const KNOWLEDGE_SERVER = here('../../../knowledge-server/src/main.ts');
export const SANDBOX_TOKEN = 'sandbox-token';

export interface AuditLine {
  principal: { id: string; user: string; roles: string[] } | null;
  method: string;
  target: string | null;
  status: string;
  decision: string;
  approvedBy: string | null;
  arguments: unknown;
}

export interface OpsGateway {
  readonly sandbox: RunningSandbox;
  /** The gateway's MCP endpoint. */
  url: string;
  configFile: string;
  automationKey: string;
  adminKey: string;
  /** The sandbox's platform action log (restarts, rollbacks), newest first. */
  platformEvents(service?: string): Promise<{ type: string; service: string; requested_by: string }[]>;
  /** `gatehouse approvals approve|deny <id> --url … ` with the admin's key. */
  approve(id: string): Promise<string>;
  deny(id: string, note: string): Promise<string>;
  /** Every audit record, oldest first (`gatehouse audit export --jsonl`). */
  audit(): Promise<AuditLine[]>;
  /** Stops the gateway (the sandbox keeps running); `start()` starts it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function yaml(dir: string, sandbox: RunningSandbox): string {
  const node = JSON.stringify(process.execPath);
  return `upstreams:
  - name: platform
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(PLATFORM_SERVER)}]
    env:
      PLATFORM_BASE_URL: ${JSON.stringify(sandbox.baseUrls.platform)}
      PLATFORM_TOKEN: ${SANDBOX_TOKEN}
    forwardIdentity: { meta: true }
  - name: knowledge
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(KNOWLEDGE_SERVER)}]
    env:
      KNOWLEDGE_DB_PATH: ${JSON.stringify(join(dir, 'knowledge.db'))}
    timeoutMs: 120000
auth: { apiKeys: true }
approvals: { mode: queue, destructiveTools: true, waitSeconds: 0, approvers: [admin] }
policy:
  groups:
    ops-read:
      allow:
        - tools: [platform_get_service_health, platform_search_runbooks, platform_list_recent_deploys]
    ops-change:
      allow:
        - tools: [platform_restart_service, platform_rollback_deploy]
          approval: { mode: queue, waitSeconds: 0 }
    docs:
      allow:
        - tools: [knowledge_search_docs]
  roles:
    automation: { groups: [ops-read, ops-change, docs] }
    admin: { groups: [] }
storage: { path: ${JSON.stringify(join(dir, 'gatehouse.db'))} }
`;
}

async function gatehouse(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [GATEHOUSE_BIN, ...args], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `gatehouse serve` until it prints its endpoint. */
function serve(configFile: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [GATEHOUSE_BIN, 'serve', '--config', configFile, '--port', String(port), '--no-watch'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start:\n${stderr.slice(-3000)}`));
    }, 120_000);
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${stderr.slice(-3000)}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Gatehouse MCP endpoint: (\S+)/.exec(stdout);
      if (match?.[1] === undefined) return;
      const url = match[1];
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      // Serving starts before the stdio upstreams are up; the tests need both of them.
      upstreamsReady(url, 90_000).then(
        () => {
          clearTimeout(timer);
          resolve({ child, url });
        },
        (error: Error) => {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(new Error(`${error.message}\n${stderr.slice(-3000)}`));
        },
      );
    });
  });
}

/** Waits until /readyz says every upstream of the gateway at `mcpUrl` is ready. */
async function upstreamsReady(mcpUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('/readyz', mcpUrl));
      last = await response.text();
      const report = JSON.parse(last) as { upstreams?: { state: string }[] };
      if (report.upstreams?.length && report.upstreams.every((u) => u.state === 'ready')) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the gateway's upstreams were not all ready in ${timeoutMs} ms: ${last.slice(0, 500)}`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function startOpsGateway(): Promise<OpsGateway> {
  const sandbox = await startSandbox({ port: 0, only: ['platform'], tokens: [SANDBOX_TOKEN] });
  const dir = makeTempDir('lantern-ops-');
  const configFile = join(dir, 'gatehouse.yaml');
  writeFileSync(configFile, yaml(dir, sandbox));
  const key = async (user: string, role: string) =>
    (await gatehouse(['keys', 'create', '--config', configFile, '--user', user, '--roles', role])).trim();
  const automationKey = await key('health-watch', 'automation');
  const adminKey = await key('ada', 'admin');
  let running = await serve(configFile, 0);
  const decide = (args: string[]) =>
    gatehouse(['approvals', ...args, '--url', running.url, '--key-env', 'LANTERN_TEST_APPROVER_KEY'], {
      ...process.env,
      LANTERN_TEST_APPROVER_KEY: adminKey,
    });
  const url = running.url;
  const port = Number(new URL(url).port);
  return {
    sandbox,
    url,
    configFile,
    automationKey,
    adminKey,
    async platformEvents(service) {
      const events = new URL(`${sandbox.baseUrls.platform}/v1/events`);
      if (service !== undefined) events.searchParams.set('service', service);
      const response = await fetch(events, { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } });
      return ((await response.json()) as { data: { type: string; service: string; requested_by: string }[] })
        .data;
    },
    approve: (id) => decide(['approve', id]),
    deny: (id, note) => decide(['deny', id, '--note', note]),
    async audit() {
      const text = await gatehouse(['audit', 'export', '--jsonl', '--config', configFile]);
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as AuditLine);
    },
    stop: () => stopChild(running.child),
    async start() {
      running = await serve(configFile, port);
    },
    async close() {
      await stopChild(running.child);
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
