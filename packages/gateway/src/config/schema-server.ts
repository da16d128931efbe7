/**
 * The `server` section of gatehouse.yaml: the listener, its limits on incoming messages, 2025-era
 * sessions and list paging. Part of the one zod schema in schema.ts; normalize-server.ts turns it
 * into the runtime model (model-server.ts).
 */
import { z } from 'zod';

export const ServerSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Interface to listen on.'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    path: z.string().startsWith('/').default('/mcp'),
    publicUrl: z.url().optional().describe('URL clients use to reach the gateway, when behind a proxy.'),
    allowedHosts: z
      .array(z.string())
      .default([])
      .describe('Host header names accepted besides localhost names (DNS-rebinding protection).'),
    allowedOrigins: z
      .array(z.string())
      .default([])
      .describe('Origin hostnames accepted besides localhost (DNS-rebinding protection).'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    maxJsonDepth: z
      .number()
      .int()
      .min(8)
      .max(256)
      .default(64)
      .describe(
        'Deepest nesting of arrays and objects in an incoming message (the message itself is level 1); deeper ones are refused with -32600 before they are parsed. At most 256: far deeper messages exhaust the stack of the recursive walks behind admission.',
      ),
    maxJsonElements: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe(
        'Most array items plus object members in an incoming message; more are refused with -32600 before they are parsed.',
      ),
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000)
      .describe('Idle 2025-era sessions end after this.'),
    maxSessions: z.number().int().positive().default(10_000),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1000)
      .describe(
        'Items per page of merged lists (tools, prompts, resources): one round trip for most catalogs.',
      ),
    maxNameLength: z.number().int().min(16).max(128).default(64),
    listTtlMs: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('ttlMs advertised on 2026-07-28 list results.'),
    drainTimeoutMs: z
      .number()
      .int()
      .nonnegative()
      .default(20_000)
      .describe('On SIGTERM or SIGINT, how long in-flight calls may finish before they are cancelled.'),
    callLane: z
      .boolean()
      .default(true)
      .describe(
        'Serve plain HTTP tools/call and tools/list requests on the lean call lane (same pipeline, same answers; no SDK server in the way). false sends every request through the SDK server.',
      ),
  })
  .strict();

export type ServerParsed = z.output<typeof ServerSchema>;
