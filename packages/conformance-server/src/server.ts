/**
 * The per-era MCP server factory of the conformance server.
 */
import { type McpRequestContext, McpServer } from '@modelcontextprotocol/server';
import { type ConformanceDeps, createConformanceDeps } from './context.ts';
import { registerPrompts } from './prompts.ts';
import { registerResources } from './resources.ts';
import { TASKS_EXTENSION_ID } from './tasks.ts';
import { registerBasicTools } from './tools.ts';
import { registerInputRequiredTools, registerStatelessDiagnostics } from './tools-mrtr.ts';
import { registerTaskTools } from './tools-tasks.ts';

/** The `serverInfo` the conformance server reports. */
export const CONFORMANCE_SERVER_INFO = { name: 'gatehouse-conformance-server', version: '0.1.0' } as const;

let defaultDeps: ConformanceDeps | undefined;

function sharedDeps(): ConformanceDeps {
  defaultDeps ??= createConformanceDeps();
  return defaultDeps;
}

/**
 * Builds one MCP server instance for the given era (an `McpServerFactory`). Pass `deps` to
 * share state (listen bus, requestState key, subscriptions) with a particular HTTP server;
 * by default a process-wide set is used.
 */
export function createConformanceServer(
  ctx: McpRequestContext = { era: 'legacy' },
  deps: ConformanceDeps = sharedDeps(),
): McpServer {
  const server = new McpServer(CONFORMANCE_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
      // The tasks extension (SEP-2663) is served on the 2026-07-28 era only.
      ...(ctx.era === 'modern' ? { extensions: { [TASKS_EXTENSION_ID]: {} } } : {}),
    },
    instructions:
      'Test fixture for the MCP conformance suite. Every tool, resource and prompt is deterministic.',
    // Rejects tampered or expired multi-round-trip state with -32602 before any handler runs.
    requestState: { verify: deps.stateCodec.verify },
    cacheHints: {
      'tools/list': { ttlMs: 60_000, cacheScope: 'public' },
      'prompts/list': { ttlMs: 60_000, cacheScope: 'public' },
      'resources/list': { ttlMs: 60_000, cacheScope: 'public' },
      'resources/templates/list': { ttlMs: 60_000, cacheScope: 'public' },
      'resources/read': { ttlMs: 10_000, cacheScope: 'private' },
      'server/discover': { ttlMs: 60_000, cacheScope: 'public' },
    },
  });
  registerBasicTools(server, ctx.era);
  registerInputRequiredTools(server, deps);
  registerStatelessDiagnostics(server, ctx.era, deps);
  registerResources(server, ctx.era, deps);
  registerPrompts(server);
  if (ctx.era === 'modern') registerTaskTools(server, deps);
  return server;
}
