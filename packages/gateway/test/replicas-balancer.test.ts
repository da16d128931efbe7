/**
 * The test balancer itself (helpers/nginx.ts), against two plain HTTP servers standing in for
 * replicas: round-robin without affinity; a request no replica received (connection refused)
 * moves on to the next one; a POST a replica received and then dropped is NOT sent to another
 * (it may have run: the client gets a 502 and decides); headers pass through both ways. Needs
 * GATEHOUSE_TEST_NGINX
 * (`source scripts/services.sh`).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { type Balancer, freeLoopbackPort, startBalancer } from './helpers/nginx.ts';

interface Backend {
  port: number;
  posts: string[];
  server: Server;
}

async function backend(
  name: string,
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Backend> {
  const posts: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      if (req.method === 'POST') posts.push(body);
      if (handle?.(req, res)) return;
      res.writeHead(200, {
        'content-type': 'application/json',
        'mcp-session-id': `${name}-session`,
        'x-saw-session': String(req.headers['mcp-session-id'] ?? ''),
        'x-saw-authorization': String(req.headers.authorization ?? ''),
        'x-saw-last-event-id': String(req.headers['last-event-id'] ?? ''),
      });
      res.end(JSON.stringify({ served: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, posts, server };
}

const servers: Server[] = [];
const balancers: Balancer[] = [];
after(async () => {
  for (const balancer of balancers) await balancer.stop();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function served(
  origin: string,
  init: RequestInit = {},
): Promise<{ status: number; by?: string; headers: Headers }> {
  const response = await fetch(`${origin}/mcp`, init);
  const text = await response.text();
  const by = response.status === 200 ? (JSON.parse(text) as { served: string }).served : undefined;
  return { status: response.status, headers: response.headers, ...(by === undefined ? {} : { by }) };
}

describe('the test balancer (nginx)', () => {
  it('round-robins, passes headers both ways, and skips a replica that refuses connections', async () => {
    const a = await backend('a');
    const b = await backend('b');
    servers.push(a.server, b.server);
    const dead = await freeLoopbackPort();
    const balancer = await startBalancer([a.port, dead, b.port]);
    balancers.push(balancer);
    const byWhom: string[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await served(balancer.origin, {
        method: 'POST',
        body: `call-${i}`,
        headers: { authorization: 'Bearer k', 'mcp-session-id': 's-1', 'last-event-id': 'e-7' },
      });
      assert.equal(answer.status, 200);
      byWhom.push(answer.by ?? '');
      assert.equal(answer.headers.get('x-saw-session'), 's-1');
      assert.equal(answer.headers.get('x-saw-authorization'), 'Bearer k');
      assert.equal(answer.headers.get('x-saw-last-event-id'), 'e-7');
      assert.match(answer.headers.get('mcp-session-id') ?? '', /^[ab]-session$/);
    }
    // No affinity: the same session id went to both live replicas; none was lost to the dead one.
    assert.deepEqual(new Set(byWhom), new Set(['a', 'b']));
    assert.equal(a.posts.length + b.posts.length, 6);
  });

  it('does not resend a POST that a replica received and dropped', async () => {
    const dropper = await backend('dropper', (req, res) => {
      if (req.method !== 'POST') return false;
      res.socket?.destroy();
      return true;
    });
    const other = await backend('other');
    servers.push(dropper.server, other.server);
    const balancer = await startBalancer([dropper.port, other.port]);
    balancers.push(balancer);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await served(balancer.origin, { method: 'POST', body: `p-${i}` })).status);
    // Every POST the dropper took is answered 502 and was never run on the other replica.
    assert.equal(statuses.filter((s) => s === 502).length, dropper.posts.length);
    assert.ok(dropper.posts.length > 0);
    for (const body of dropper.posts) assert.ok(!other.posts.includes(body), `${body} was sent twice`);
  });
});
