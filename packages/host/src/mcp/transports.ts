/**
 * The SDK transport for one server, and what a stdio child said before it died. Stdio servers get
 * the SDK's default environment (PATH, HOME, …) plus their own `env`, and their stderr is kept
 * (the last lines) so a server that fails to start is reported with what it printed.
 */
import type { ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { HttpServerConfig, StdioServerConfig } from './servers-file.ts';

const KEPT_STDERR = 8 * 1024;

/** The stderr tail and exit of one stdio child. */
export class ChildReport {
  private tail = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  private exitedResolve: () => void = () => {};
  /** Resolves when the child has exited. */
  readonly exited = new Promise<void>((resolve) => {
    this.exitedResolve = resolve;
  });
  exitSeen = false;

  follow(transport: StdioClientTransport): void {
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-KEPT_STDERR);
    });
  }

  /** Called once the transport has started (its child exists). */
  watchExit(transport: StdioClientTransport): void {
    // The SDK keeps the child to itself; its exit status is only readable there.
    const child = (transport as unknown as { _process?: ChildProcess })._process;
    if (child === undefined) return;
    child.once('exit', (code, signal) => {
      this.exitCode = code;
      this.signal = signal;
      this.exitSeen = true;
      this.exitedResolve();
    });
  }

  /** The last non-empty line the child wrote to stderr. */
  lastLine(): string | undefined {
    const lines = this.tail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    return lines.at(-1);
  }

  /** "exited with code 1" / "killed by SIGTERM" / undefined while running. */
  exitText(): string | undefined {
    if (!this.exitSeen) return undefined;
    if (this.signal !== null) return `killed by ${this.signal}`;
    return `exited with code ${this.exitCode}`;
  }
}

export function stdioTransport(config: StdioServerConfig): {
  transport: StdioClientTransport;
  child: ChildReport;
} {
  const params: ConstructorParameters<typeof StdioClientTransport>[0] = {
    command: config.command,
    args: config.args,
    env: { ...getDefaultEnvironment(), ...config.env },
    stderr: 'pipe',
  };
  if (config.cwd !== undefined) params.cwd = config.cwd;
  const transport = new StdioClientTransport(params);
  const child = new ChildReport();
  child.follow(transport);
  return { transport, child };
}

export function httpTransport(config: HttpServerConfig): Transport {
  return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
}
