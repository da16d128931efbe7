/**
 * The stdio transport for hosts that launch the gateway as a local process. The SDK's serveStdio
 * negotiates the era; every request still runs the same pipeline as HTTP.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { type StdioServerHandle, serveStdio } from '@modelcontextprotocol/server/stdio';
import { GatehouseError } from '../errors/registry.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';

export const STDIO_SESSION = 'stdio';

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
        gateway.fanout.addSession(STDIO_SESSION, server.server);
        server.server.onclose = () => {
          if (current === server) gateway.fanout.removeSession(STDIO_SESSION);
        };
      }
      return server;
    },
    { legacy: 'serve', onerror: (error) => log.debug({ err: error.message }, 'stdio error') },
  );
}
