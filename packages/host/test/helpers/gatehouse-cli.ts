/**
 * The `gatehouse` CLI as a user runs it, for the host's end-to-end tests: a gateway started with
 * `gatehouse serve --config F --port 0` (its endpoint read from stdout), keys made with
 * `gatehouse keys create`, the audit read with `gatehouse audit query`, and `gatehouse chat` run
 * to its end (or driven line by line). Each test stops only the processes it started.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

const execFileAsync = promisify(execFile);

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../../gateway/bin/gatehouse.mjs', import.meta.url));
export const WALLET_SERVER = fileURLToPath(new URL('../../../wallet-server/src/main.ts', import.meta.url));

export interface Gateway {
  url: string;
  configFile: string;
  dir: string;
  stop(): Promise<void>;
  stderr(): string;
}

/** A stdio upstream for the `upstreams:` list, run by this test's Node. */
export function stdioUpstream(name: string, script: string, env: Record<string, string>, extra = ''): string {
  const envLines = Object.entries(env)
    .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `  - name: ${name}
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(script)}]
    env:
${envLines}
${extra}`;
}

/** `gatehouse serve` on a free port with the configuration `yaml(dir)` (dir: a fresh temp dir). */
export async function startGateway(yaml: (dir: string) => string): Promise<Gateway> {
  const dir = makeTempDir('gatehouse-host-');
  const configFile = join(dir, 'gatehouse.yaml');
  writeFileSync(configFile, yaml(dir));
  const child = spawn(
    process.execPath,
    [GATEHOUSE_BIN, 'serve', '--config', configFile, '--port', '0', '--no-watch'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway did not start:\n${stderr.slice(-3000)}`)),
      30_000,
    );
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}):\n${stderr.slice(-3000)}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Gatehouse MCP endpoint: (\S+)/.exec(stdout);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
  }).catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    configFile,
    dir,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `gatehouse <args>` to its end. */
export async function gatehouse(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [GATEHOUSE_BIN, ...args], { env });
  return stdout;
}

/** A new API key for `user` with `roles`, as `gatehouse keys create` prints it. */
export async function createKey(configFile: string, user: string, roles: string[]): Promise<string> {
  const stdout = await gatehouse([
    'keys',
    'create',
    '--config',
    configFile,
    '--user',
    user,
    '--roles',
    roles.join(','),
  ]);
  return stdout.trim();
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for a chat: this process's, less any provider or gateway key, plus `env`. */
export function chatEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GATEHOUSE_API_KEY']) delete base[name];
  return { ...base, ...env };
}

/** `gatehouse chat <args>` with stdin closed (not a TTY), to its end (killed after `timeoutMs`). */
/** `gatehouse chat` arguments for a gateway and a model provider at `baseUrl` (a loopback model). */
export function chatVia(gatewayUrl: string, provider: 'openai' | 'anthropic', baseUrl: string): string[] {
  return ['--url', gatewayUrl, '--provider', provider, '--base-url', baseUrl];
}

export function runChat(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'chat', ...args], {
      env: chatEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An interactive `gatehouse chat`, driven through its stdin (a pipe). */
export interface ChatSession {
  child: ChildProcess;
  output(): string;
  stderr(): string;
  /** Types a line. */
  send(line: string): void;
  /** Resolves once the output (after `from` characters) matches `pattern`. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  /** Ends the input (Ctrl-D) and waits for the exit. */
  end(): Promise<number | null>;
}

export function startChat(args: string[], env: Record<string, string>): ChatSession {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'chat', ...args], {
    env: chatEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => stdout,
    stderr: () => stderr,
    send: (line) => child.stdin?.write(`${line}\n`),
    waitFor(pattern, from = 0, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const match = pattern.exec(stdout.slice(from));
          if (match !== null) {
            clearInterval(poll);
            resolve(match[0]);
          } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
            clearInterval(poll);
            reject(new Error(`no ${pattern} in the chat's output:\n${stdout}\nstderr:\n${stderr}`));
          }
        }, 10);
      });
    },
    async end() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * `gatehouse chat <args>` on a pseudo-terminal (util-linux `script`), so its stdin is a TTY:
 * each time the output so far matches the next step's pattern, that step's keys are typed.
 * Resolves at the exit (killed after `timeoutMs`) with the steps that were never reached.
 */
export function runChatOnTerminal(
  args: string[],
  env: Record<string, string>,
  steps: [RegExp, string][],
  timeoutMs = 30_000,
): Promise<Finished & { unreached: number }> {
  const quoted = [process.execPath, GATEHOUSE_BIN, 'chat', ...args].map(
    (a) => `'${a.replaceAll("'", "'\\''")}'`,
  );
  const tty = spawn('script', ['-qfec', quoted.join(' '), '/dev/null'], {
    env: chatEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pending = [...steps];
  let output = '';
  let checkedUpTo = 0;
  tty.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const next = pending[0];
    if (next?.[0].test(output.slice(checkedUpTo))) {
      pending.shift();
      checkedUpTo = output.length;
      tty.stdin?.write(next[1]);
    }
  });
  const timer = setTimeout(() => tty.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    tty.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: output, stderr: '', unreached: pending.length });
    }),
  );
}
