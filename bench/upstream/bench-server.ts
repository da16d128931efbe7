/**
 * The upstream MCP server the overhead benchmark puts every setup in front of: two tools,
 *
 * - `echo {text}`: read-only, answers the text as it came (the smallest possible call);
 * - `get_deal {dealId}`: a ~5 KB HubSpot-like CRM deal (deal.ts) as `structuredContent`, checked
 *   against its output schema by the SDK, with the same JSON as text beside it.
 *
 * Served over stdio (the default: how Gatehouse, mcp-proxy and supergateway run it) or Streamable
 * HTTP with `--port N` (0 picks a free port; prints `BENCH_URL <url>` on stdout), both protocol
 * eras either way, through the kit's transports. The tools are registered on a plain SDK
 * `McpServer` (no kit handler context, no health tool) so the upstream costs as little per call as
 * a server can, and the proxies' share of the path stands out. Nothing is logged.
 *
 *   node bench/upstream/bench-server.ts               stdio
 *   node bench/upstream/bench-server.ts --port 0      http://127.0.0.1:<port>/mcp
 */
import { createLogger, type DomainServer, defineServer, serve, serveOptionsFromArgv } from '@gatehouse/kit';
import { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { DEAL_ID_PATTERN, DealSchema, makeDeal } from './deal.ts';

export const BENCH_SERVER_NAME = 'bench-upstream';

/** A fresh SDK server with the two tools: one per 2025-era session, one per 2026-07-28 request. */
export function createBenchMcpServer(): McpServer {
  const server = new McpServer(
    { name: BENCH_SERVER_NAME, version: '1.0.0' },
    { capabilities: { tools: {} } },
  );
  server.registerTool(
    'echo',
    {
      description: 'Answers the text it is given, unchanged.',
      inputSchema: z.object({ text: z.string().max(100_000) }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'get_deal',
    {
      description:
        'One CRM deal by id: its properties, stage and amount history, associations and line items.',
      inputSchema: z.object({ dealId: z.string().regex(DEAL_ID_PATTERN, 'digits only') }),
      outputSchema: DealSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ dealId }) => {
      const deal = makeDeal(dealId);
      return { content: [{ type: 'text', text: JSON.stringify(deal) }], structuredContent: deal };
    },
  );
  return server;
}

/** The bench server as a kit domain server, so the kit's stdio and HTTP transports can serve it. */
export function benchDomainServer(): DomainServer {
  const base = defineServer(
    { name: BENCH_SERVER_NAME, version: '1.0.0', tools: [] },
    createLogger(BENCH_SERVER_NAME, 'silent'),
  );
  return { ...base, create: () => createBenchMcpServer() };
}

async function main(): Promise<void> {
  const options = serveOptionsFromArgv();
  const handle = await serve(benchDomainServer(), options);
  if (handle.url !== undefined) process.stdout.write(`BENCH_URL ${handle.url}\n`);
  const stop = (): void => {
    handle.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (options.transport === 'stdio') process.stdin.once('end', stop);
}

if (import.meta.main) await main();
