/**
 * The stdio transport for hosts that launch the gateway as a local process. The SDK's serveStdio
 * negotiates the era; every request still runs the same pipeline as HTTP.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { type StdioServerHandle, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';

export const STDIO_SESSION = 'stdio';

export function serveGatewayStdio(gateway: Gateway, log: Logger): StdioServerHandle {
  let current: McpServer | undefined;
  return serveStdio(
    ({ era }) => {
      const server = gateway.createServer({ era, transport: 'stdio', sessionId: STDIO_SESSION });
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
