/**
 * A plain-HTTP listener that answers only `GET /healthz` (`--health-port N`): for probes that
 * hold no client certificate — a Kubernetes kubelet — when the MCP listener requires mutual TLS.
 * It serves the same report as `/healthz` on the MCP listener and nothing else (404), so the MCP
 * endpoint stays behind the certificate.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthReport } from './health.ts';
import type { DomainServer } from './server.ts';

export interface RunningHealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveHealth(
  domain: DomainServer,
  port: number,
  host: string,
): Promise<RunningHealthServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://health').pathname !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"only GET /healthz here"}');
      return;
    }
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    healthReport(domain.definition, domain.checks, aborted.signal).then(
      (report) => {
        res
          .writeHead(report.status === 'down' ? 503 : 200, { 'content-type': 'application/json' })
          .end(JSON.stringify(report));
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${bracketed}:${bound}/healthz`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
