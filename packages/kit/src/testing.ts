/**
 * The kit's test client: a real MCP client connected to a kit server in the same process, over
 * an in-memory pipe (either protocol era, negotiated exactly as over stdio) or over the server's
 * real Streamable HTTP listener on a loopback port. A `caller` is sent the way Gatehouse sends it
 * (`_meta["dev.gatehouse/principal"]`), so handlers see the identity they would behind the gateway.
 *
 *   const t = await testClient(server, { caller: { id: 'k1', user: 'ana', org: 'acme', roles: ['sales'] } });
 *   const { structured } = await t.call('get_deal', { dealId: '42' });
 */
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { type Caller, PRINCIPAL_META_KEY } from './caller.ts';
import { TOOL_ERROR_META_KEY } from './errors.ts';
import { serveHttp } from './http.ts';
import type { DomainServer } from './server.ts';

export interface TestClientOptions {
  caller?: Caller;
  era?: 'legacy' | 'modern';
  /** 'memory' (default) pipes in-process; 'http' goes through the real HTTP listener. */
  via?: 'memory' | 'http';
}

export interface ToolOutcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  /** The tool error code (`_meta["dev.gatehouse/tool-error"].code`) of an isError result. */
  errorCode: string | undefined;
  raw: Record<string, unknown>;
}

export interface TestClient {
  readonly client: Client;
  call(
    name: string,
    args?: Record<string, unknown>,
    onProgress?: (progress: number) => void,
  ): Promise<ToolOutcome>;
  close(): Promise<void>;
}

function outcomeOf(result: Record<string, unknown>): ToolOutcome {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  const meta = (result._meta ?? {}) as Record<string, { code?: string } | undefined>;
  return {
    isError: result.isError === true,
    text: content.map((c) => c.text ?? '').join(''),
    structured: result.structuredContent as Record<string, unknown> | undefined,
    errorCode: meta[TOOL_ERROR_META_KEY]?.code,
    raw: result,
  };
}

export async function testClient(domain: DomainServer, options: TestClientOptions = {}): Promise<TestClient> {
  const client = new Client(
    { name: 'gatehouse-kit-test', version: '1.0.0' },
    { versionNegotiation: { mode: options.era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  let stopServer: () => Promise<void>;
  if (options.via === 'http') {
    const http = await serveHttp(domain, { port: 0 });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    stopServer = () => http.close();
  } else {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const handle = serveStdio((ctx) => domain.create(ctx), { transport: serverSide });
    await client.connect(clientSide);
    stopServer = () => handle.close();
  }
  const meta = options.caller ? { [PRINCIPAL_META_KEY]: options.caller } : {};
  return {
    client,
    async call(name, args = {}, onProgress) {
      const result = await client.callTool(
        { name, arguments: args, _meta: meta },
        onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined,
      );
      return outcomeOf(result as Record<string, unknown>);
    },
    async close() {
      await client.close();
      await stopServer();
    },
  };
}
