/**
 * The stdio transport for hosts that launch the gateway as a local process. The SDK's serveStdio
 * negotiates the era; every request still runs the same pipeline as HTTP. Each line from stdin is
 * checked against the same JSON bounds as an HTTP body before the SDK parses it.
 */
import type { JSONRPCMessage, McpServer } from '@modelcontextprotocol/server';
import { type StdioServerHandle, StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { ServerModel } from '../config/model.ts';
import { GatehouseError, WireErrors } from '../errors/registry.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';
import { boundedLines } from './stdio-bounds.ts';

export const STDIO_SESSION = 'stdio';

/** The longest stdio message: the SDK's own stdin buffer limit (10 MiB). */
const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Serves one stdio client as the configured local principal (auth.stdio, else anonymous when
 * allowed). Without either there is no one to act as, and the gateway refuses to start.
 */
export function serveGatewayStdio(gateway: Gateway, log: Logger): StdioServerHandle {
  const principal = gateway.access.authenticator.stdioPrincipal();
  if (principal === undefined) {
    throw new GatehouseError(
      'CONFIG_INVALID',
      'stdio needs a principal: set auth.stdio (user, org, roles) or auth.anonymous in the config',
    );
  }
  let current: McpServer | undefined;
  return serveStdio(
    ({ era }) => {
      const server = gateway.createServer({ era, transport: 'stdio', sessionId: STDIO_SESSION, principal });
      if (era === 'legacy') {
        current = server;
        gateway.fanout.addSession(STDIO_SESSION, server.server, () => principal);
        server.server.onclose = () => {
          if (current === server) gateway.fanout.removeSession(STDIO_SESSION);
        };
      }
      return server;
    },
    {
      legacy: 'serve',
      transport: boundedStdio(gateway.model.server),
      onerror: (error) => log.debug({ err: error.message }, 'stdio error'),
    },
  );
}

/**
 * The SDK's stdio transport reading stdin through the JSON bounds; a refused line is answered with
 * Invalid Request (id null: the message was not parsed, so its id is unknown).
 */
function boundedStdio(server: ServerModel): StdioServerTransport {
  const bounds = {
    maxDepth: server.maxJsonDepth,
    maxElements: server.maxJsonElements,
    maxLineBytes: MAX_LINE_BYTES,
  };
  const lines = boundedLines(bounds, (message) => {
    const error = { code: WireErrors.InvalidRequest.code, message };
    // JSON-RPC 2.0 answers with id null when the id is unknown (as the SDK's HTTP transport does);
    // the SDK's message type only allows leaving it out.
    const refusal = { jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage;
    wire.send(refusal).catch(() => {});
  });
  const wire = new StdioServerTransport(process.stdin.pipe(lines), process.stdout, {
    maxBufferSize: 2 * MAX_LINE_BYTES,
  });
  return wire;
}
