/**
 * The least an HTTP → stdio MCP relay can do for 2025-era sessions, as a floor for the overhead
 * benchmark: no authentication, policy, audit, metrics, shaping or resilience — only what any
 * relay must do to put a stdio server behind Streamable HTTP.
 *
 * - It starts one stdio child (the command after `--`) and does the handshake with it once.
 * - A client's `initialize` is answered from that handshake, with a new `Mcp-Session-Id`;
 *   notifications are accepted (202) and dropped; GET is refused (405, no standalone stream);
 *   DELETE ends nothing (200).
 * - Every other request is parsed, its id replaced by one of the relay's own (many clients share
 *   the child), written to the child as one line, and the child's answer parsed, given the
 *   client's id back, and sent as one JSON body.
 *
 * Not a product: bench/overhead.ts runs it as the setup "bare relay" (legacy era only) to show
 * how close to direct any stdio-backed relay gets on the same machine.
 *
 *   node bench/upstream/bare-relay.ts --port 0 -- node bench/upstream/bench-server.ts
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', default: '0' } },
  allowPositionals: true,
});
const [command, ...args] = positionals;
if (command === undefined) throw new Error('usage: bare-relay.ts --port N -- COMMAND [ARGS]');

type JsonRpc = { id?: string | number; method?: string; result?: unknown; error?: unknown };

const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = new Map<number, (answer: JsonRpc) => void>();
let nextId = 1;
let corked = false;

createInterface({ input: child.stdout }).on('line', (line) => {
  const answer = JSON.parse(line) as JsonRpc;
  if (typeof answer.id !== 'number') return;
  const settle = waiting.get(answer.id);
  waiting.delete(answer.id);
  settle?.(answer);
});

/** Writes a request to the child; the writes of one event-loop turn go in one system call. */
function toChild(message: JsonRpc): Promise<JsonRpc> {
  const id = nextId++;
  const { promise, resolve } = Promise.withResolvers<JsonRpc>();
  waiting.set(id, resolve);
  if (!corked) {
    corked = true;
    child.stdin.cork();
    setImmediate(() => {
      corked = false;
      child.stdin.uncork();
    });
  }
  child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
  return promise;
}

const handshake = await toChild({
  jsonrpc: '2.0',
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'bare-relay', version: '1.0.0' },
  },
} as JsonRpc);
child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString()));
    req.once('error', reject);
  });
}

function answerJson(res: ServerResponse, message: unknown, sessionId: string | undefined): void {
  const body = Buffer.from(JSON.stringify(message));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': body.length,
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(200, headers);
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    res.writeHead(405, { allow: 'POST, DELETE' }).end();
    return;
  }
  if (req.method === 'DELETE') {
    res.writeHead(200).end();
    return;
  }
  const message = JSON.parse(await readBody(req)) as JsonRpc;
  if (message.id === undefined) {
    res.writeHead(202).end();
    return;
  }
  if (message.method === 'initialize') {
    answerJson(res, { jsonrpc: '2.0', id: message.id, result: handshake.result }, randomUUID());
    return;
  }
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  const answer = await toChild(message);
  answerJson(res, { ...answer, id: message.id }, sessionId);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  console.log(`BARE_RELAY_URL http://127.0.0.1:${address.port}/mcp`);
});

const stop = () => {
  server.close();
  child.kill();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
