/**
 * An MCP server with many tools, for the catalog-scale benchmarks: N tools with realistic names,
 * descriptions and JSON input schemas (each definition ~300–600 bytes as JSON), all under one
 * name prefix so that several instances never collide behind one gateway. Every tool answers a
 * call with a short text naming itself and echoing its arguments.
 *
 * Two ways to serve the same tools, both answering `tools/list` in one page (as most servers do):
 *
 * - `--schemas json` (default): the definitions are built once at start, as JSON Schema, and every
 *   `tools/list` answers them as they are — the fastest an upstream can list, so a direct baseline
 *   is as strict as it can be;
 * - `--schemas zod`: the way servers written with the TypeScript SDK usually are — each tool
 *   registered on an McpServer with a zod input schema, which the SDK converts to JSON Schema on
 *   every `tools/list`.
 *
 *   node bench/upstream/many-tools-server.ts [--tools 50] [--prefix crm] [--schemas json|zod]   (stdio)
 *   node bench/upstream/many-tools-server.ts --tools 500 --prefix big --port 0        (Streamable HTTP)
 *
 * Environment (used when the option is absent): MANY_TOOLS_COUNT, MANY_TOOLS_PREFIX and
 * MANY_TOOLS_SCHEMAS. Over HTTP it prints `many-tools server listening on <url>` once listening,
 * serves the 2026-07-28 revision and 2025-era requests statelessly at /mcp, and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, Server, type Tool } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

const VERBS = ['get', 'list', 'search', 'create', 'update', 'delete', 'archive', 'export', 'assign', 'count'];
const NOUNS = [
  'invoice',
  'order',
  'customer',
  'ticket',
  'shipment',
  'product',
  'subscription',
  'refund',
  'payment',
  'contract',
  'lead',
  'campaign',
  'asset',
  'incident',
  'deployment',
  'user',
  'team',
  'project',
  'report',
  'document',
  'vendor',
  'quote',
  'warehouse',
  'alert',
  'runbook',
];
const STATUSES = ['draft', 'open', 'pending', 'active', 'on_hold', 'closed', 'cancelled'];

type JsonSchema = Record<string, unknown>;

function idProperty(noun: string): JsonSchema {
  return { type: 'string', description: `The ${noun} id, as returned by list or search.`, minLength: 1 };
}

/** The input schema of one verb on one noun: the kind of arguments such a tool really takes. */
function inputSchema(verb: string, noun: string): JsonSchema {
  const limit = { type: 'integer', minimum: 1, maximum: 200, default: 25, description: 'Page size.' };
  const object = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
  switch (verb) {
    case 'get':
      return object(
        {
          id: idProperty(noun),
          include: { type: 'array', items: { type: 'string', enum: ['owner', 'history', 'notes'] } },
        },
        ['id'],
      );
    case 'list':
      return object(
        {
          status: { type: 'string', enum: STATUSES },
          limit,
          cursor: { type: 'string', description: 'Opaque cursor from the previous page.' },
        },
        [],
      );
    case 'search':
      return object(
        { query: { type: 'string', description: `Free text matched against ${noun} fields.` }, limit },
        ['query'],
      );
    case 'create':
      return object(
        {
          name: { type: 'string', maxLength: 200 },
          ownerId: { type: 'string', description: 'User who owns it.' },
          amount: { type: 'number', minimum: 0 },
          currency: { type: 'string', enum: ['USD', 'EUR', 'GBP'] },
        },
        ['name'],
      );
    case 'update':
      return object(
        {
          id: idProperty(noun),
          status: { type: 'string', enum: STATUSES },
          note: { type: 'string', maxLength: 2000 },
        },
        ['id'],
      );
    case 'delete':
    case 'archive':
      return object({ id: idProperty(noun), reason: { type: 'string', maxLength: 500 } }, ['id', 'reason']);
    case 'export':
      return object(
        {
          format: { type: 'string', enum: ['csv', 'json', 'xlsx'] },
          since: { type: 'string', format: 'date-time' },
        },
        ['format'],
      );
    case 'assign':
      return object({ id: idProperty(noun), assigneeId: { type: 'string' } }, ['id', 'assigneeId']);
    default:
      return object({ status: { type: 'string', enum: STATUSES } }, []);
  }
}

const PURPOSE: Record<string, string> = {
  get: 'Returns one {noun} by id with its status, owner and timestamps.',
  list: 'Lists {noun}s, newest first, optionally filtered by status. Paged with a cursor.',
  search: 'Full-text search over {noun}s; returns ids and a one-line summary per match.',
  create: 'Creates a new {noun} and returns its id. The owner defaults to the caller.',
  update: 'Changes the status of the {noun} and appends a note to its history.',
  delete: 'Deletes the {noun} permanently. The reason is kept in the audit trail.',
  archive: 'Archives the {noun}: hidden from lists, kept for reporting and restorable.',
  export: 'Exports {noun}s changed since a date as a file and returns its download link.',
  assign: 'Assigns the {noun} to a user, who is notified by email.',
  count: 'Counts {noun}s per status, for dashboards.',
};

/** Tool `i` of a server with this prefix: deterministic, unique within the server. */
export function toolDefinition(prefix: string, i: number): Tool {
  const verb = VERBS[i % VERBS.length] as string;
  const noun = NOUNS[Math.floor(i / VERBS.length) % NOUNS.length] as string;
  const round = Math.floor(i / (VERBS.length * NOUNS.length));
  const name = `${prefix}_${verb}_${noun}${round > 0 ? `_v${round + 1}` : ''}`;
  const description = `${(PURPOSE[verb] as string).replaceAll('{noun}', noun)} Part of the ${prefix} system.`;
  const readOnly = verb === 'get' || verb === 'list' || verb === 'search' || verb === 'count';
  return {
    name,
    description,
    inputSchema: inputSchema(verb, noun) as Tool['inputSchema'],
    annotations: { readOnlyHint: readOnly, destructiveHint: verb === 'delete' },
  };
}

export function toolDefinitions(prefix: string, count: number): Tool[] {
  return Array.from({ length: count }, (_, i) => toolDefinition(prefix, i));
}

/** The zod schema an SDK author would have written for one of our JSON Schemas (the subset used here). */
function zodFor(schema: JsonSchema): z.ZodType {
  const described = <T extends z.ZodType>(t: T): T =>
    typeof schema.description === 'string' ? t.describe(schema.description) : t;
  switch (schema.type) {
    case 'object': {
      const required = (schema.required ?? []) as string[];
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const shape = Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [
          k,
          required.includes(k) ? zodFor(v) : zodFor(v).optional(),
        ]),
      );
      return z.strictObject(shape);
    }
    case 'string': {
      if (Array.isArray(schema.enum)) return described(z.enum(schema.enum as [string, ...string[]]));
      if (schema.format === 'date-time') return described(z.iso.datetime());
      let s = z.string();
      if (typeof schema.minLength === 'number') s = s.min(schema.minLength);
      if (typeof schema.maxLength === 'number') s = s.max(schema.maxLength);
      return described(s);
    }
    case 'integer':
    case 'number': {
      let n = schema.type === 'integer' ? z.int() : z.number();
      if (typeof schema.minimum === 'number') n = n.min(schema.minimum);
      if (typeof schema.maximum === 'number') n = n.max(schema.maximum);
      return described(typeof schema.default === 'number' ? n.default(schema.default) : n);
    }
    case 'array':
      return described(z.array(zodFor(schema.items as JsonSchema)));
    default:
      return z.unknown();
  }
}

function callAnswer(name: string, args: unknown) {
  return { content: [{ type: 'text' as const, text: `${name}: ok ${JSON.stringify(args ?? {})}` }] };
}

/** An McpServer with each tool registered with a zod schema (converted on every tools/list). */
function zodServerFor(tools: readonly Tool[]): McpServer {
  const server = new McpServer({ name: 'many-tools', version: '1.0.0' });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: zodFor(tool.inputSchema as JsonSchema) as z.ZodObject,
        annotations: tool.annotations,
      },
      async (args) => callAnswer(tool.name, args),
    );
  }
  return server;
}

function serverFor(tools: readonly Tool[]): Server {
  const server = new Server({ name: 'many-tools', version: '1.0.0' }, { capabilities: { tools: {} } });
  const byName = new Set(tools.map((t) => t.name));
  server.setRequestHandler('tools/list', () => ({ tools: tools as Tool[] }));
  server.setRequestHandler('tools/call', (request) => {
    const { name, arguments: args } = request.params;
    if (!byName.has(name))
      return { content: [{ type: 'text', text: `unknown tool ${name}` }], isError: true };
    return callAnswer(name, args);
  });
  return server;
}

type Factory = () => Server | McpServer;

async function serveHttp(factory: Factory, port: number): Promise<void> {
  const mcp = createMcpHandler(factory);
  const handler = toNodeHandler(mcp);
  const http = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      process.stderr.write(`many-tools: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const address = http.address() as AddressInfo;
  process.stdout.write(`many-tools server listening on http://127.0.0.1:${address.port}/mcp\n`);
  const stop = (): void => {
    http.closeAllConnections();
    http.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tools: { type: 'string', default: process.env.MANY_TOOLS_COUNT ?? '50' },
      prefix: { type: 'string', default: process.env.MANY_TOOLS_PREFIX ?? 'svc' },
      port: { type: 'string' },
      schemas: { type: 'string', default: process.env.MANY_TOOLS_SCHEMAS ?? 'json' },
    },
  });
  if (values.schemas !== 'json' && values.schemas !== 'zod') throw new Error(`--schemas: json or zod`);
  const count = Number(values.tools);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--tools must be a positive integer: ${values.tools}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(values.prefix))
    throw new Error(`--prefix: letters, digits, _ or -`);
  const tools = toolDefinitions(values.prefix, count);
  const factory: Factory = values.schemas === 'zod' ? () => zodServerFor(tools) : () => serverFor(tools);
  if (values.port !== undefined) {
    await serveHttp(factory, Number(values.port));
    return;
  }
  await factory().connect(new StdioServerTransport());
}

if (import.meta.main) await main();
