/** Binds the HTTP front to a Node HTTP server, and drains it on close. */
import {
  createServer,
  type IncomingMessage,
  type Server as NodeServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { ServerModel } from '../config/model.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';
import { createCallLane, nodeHeaders } from './call-lane.ts';
import { listRewriteCheck } from './call-lane-encode.ts';
import { createHttpFront, type HttpFront } from './http-front.ts';
import { writeWebResponse } from './node-response.ts';

export interface RunningHttp {
  url: string;
  port: number;
  front: HttpFront;
  close(): Promise<void>;
}

export async function listenHttp(gateway: Gateway, server: ServerModel, log: Logger): Promise<RunningHttp> {
  const front = createHttpFront(gateway, server, log);
  // The adapter buffers up to twice the limit so the front can answer an oversize body itself
  // with a JSON-RPC 413; anything larger still gets the adapter's own 413.
  const handler = toNodeHandler(front, {
    maxRequestBodySize: server.maxBodyBytes * 2,
    onerror: (error) => log.error({ err: error.message }, 'http adapter error'),
  });
  const lane = server.callLane
    ? createCallLane({
        server,
        refusals: front.refusals,
        pipeline: (req) => gateway.pipeline(req),
        shutdown: gateway.requests.shutdown,
        toolInputSchema: (name) => gateway.catalog.tool(name)?.item.inputSchema,
        listNeedsSdk: listRewriteCheck(gateway.catalog),
        laneSession: (id, principalId) => front.sessions.laneSession(id, principalId),
        requestStates: gateway.requestStates,
      })
    : undefined;
  // POSTs to the MCP path try the call lane first; whatever it does not answer (and every other
  // request) goes through the web-standard front.
  const serve = async (req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): Promise<void> => {
    if (pathOf(req.url) !== server.path) return handler(req, res);
    // Every request to the MCP path is admitted here, once, with its peer address for the audit
    // of a refusal; the lane and the front receive the admitted caller.
    const admitted = await front.admission.admit(nodeHeaders(req), req.socket.remoteAddress ?? 'unknown');
    if (!admitted.ok) {
      req.resume(); // the body of a refused request is not read
      await writeWebResponse(res, admitted.response);
      return;
    }
    req.auth = admitted.caller;
    if (lane !== undefined && req.method === 'POST') {
      const verdict = await lane(req, res, admitted.caller);
      if (verdict.served) return;
      return handler(req, res, verdict.parsedBody);
    }
    return handler(req, res);
  };
  const http: NodeServer = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log.error({ err: String(error) }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(server.port, server.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  const url = server.publicUrl ?? `http://${host}:${port}${server.path}`;
  return {
    url,
    port,
    front,
    async close() {
      await front.close();
      http.closeIdleConnections();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        setTimeout(() => {
          http.closeAllConnections();
          resolve();
        }, 5000).unref();
      });
    },
  };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
