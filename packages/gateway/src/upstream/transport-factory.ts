/**
 * Builds the SDK client transport for an upstream. Stdio children are started through `setsid`
 * so each one leads its own process group (see process-group.ts); HTTP upstreams get their static
 * headers plus the service credential, read at connect time so rotated secrets are picked up, and
 * with `tls` their own client certificate and CA (tls-fetch.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { FetchLike, Transport } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { CredentialModel, HttpUpstreamModel, StdioUpstreamModel } from '../config/model.ts';
import { GatehouseError } from '../errors/registry.ts';
import { tlsFetch } from './tls-fetch.ts';

/**
 * The SDK's stdio transport, with two additions.
 *
 * - The messages sent during one turn of the event loop go to the child in one system call.
 *   Under concurrency the call lane relays several requests per turn; written one by one, each
 *   would wake the child separately (a context switch per message on a busy machine). The pipe
 *   is corked at the first message of a turn and uncorked in the turn's check phase, so no
 *   message waits longer than the I/O it arrived with.
 * - `child`: the child process (how it exited tells an operator why an upstream is down).
 */
export class UpstreamStdioTransport extends StdioClientTransport {
  #corked = false;

  /**
   * The child process once started. The SDK keeps it to itself (in `_process`); this is the one
   * place that reads it, and test/stdio-transport.test.ts fails if an SDK upgrade moves it.
   */
  get child(): ChildProcess | undefined {
    return (this as unknown as { _process?: ChildProcess })._process;
  }

  override send(...args: Parameters<StdioClientTransport['send']>): Promise<void> {
    const stdin = this.child?.stdin ?? undefined;
    if (stdin !== undefined && !this.#corked) {
      this.#corked = true;
      stdin.cork();
      setImmediate(() => {
        this.#corked = false;
        stdin.uncork();
      });
    }
    return super.send(...args);
  }
}

export function stdioTransport(model: StdioUpstreamModel): UpstreamStdioTransport {
  const params: ConstructorParameters<typeof StdioClientTransport>[0] = {
    command: 'setsid',
    args: [model.command, ...model.args],
    env: { ...getDefaultEnvironment(), ...model.env },
    stderr: 'pipe',
  };
  if (model.cwd !== undefined) params.cwd = model.cwd;
  return new UpstreamStdioTransport(params);
}

export async function resolveCredential(credential: CredentialModel, upstream: string): Promise<string> {
  let secret: string | undefined;
  if (credential.source.kind === 'env') {
    secret = process.env[credential.source.name];
    if (secret === undefined || secret === '') {
      throw new GatehouseError(
        'UPSTREAM_CREDENTIAL_MISSING',
        `upstream "${upstream}": environment variable ${credential.source.name} is not set`,
      );
    }
  } else {
    try {
      secret = (await readFile(credential.source.path, 'utf8')).trim();
    } catch (error) {
      throw new GatehouseError(
        'UPSTREAM_CREDENTIAL_MISSING',
        `upstream "${upstream}": cannot read credential file ${credential.source.path}`,
        { cause: error },
      );
    }
  }
  return credential.scheme === '' ? secret : `${credential.scheme} ${secret}`;
}

/**
 * The HTTP transport: static headers and the credential, and for an upstream with `tls` its own
 * TLS agent (tls-fetch.ts), closed with the transport. `wrap` adds fetch middleware.
 */
export async function httpTransport(
  model: HttpUpstreamModel,
  wrap: (next: FetchLike | undefined) => FetchLike = (next) => next ?? fetch,
): Promise<Transport> {
  const headers: Record<string, string> = { ...model.headers };
  if (model.credential !== null) {
    headers[model.credential.header] = await resolveCredential(model.credential, model.name);
  }
  const tls = model.tls === null ? null : await tlsFetch(model.tls, model.name);
  const transport = new StreamableHTTPClientTransport(new URL(model.url), {
    requestInit: { headers },
    fetch: wrap(tls?.fetch),
  });
  if (tls !== null) {
    const close = transport.close.bind(transport);
    transport.close = async () => {
      try {
        await close();
      } finally {
        await tls.close();
      }
    };
  }
  return transport;
}
