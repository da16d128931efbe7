/**
 * `defineServer`: a domain server as data (its tools, resources, templates, prompts, health
 * checks), and the factory that turns it into an SDK `McpServer` for each connection (2025 era)
 * or request (2026-07-28). Every handler runs through `runTool` / `readResource` / `getPrompt`,
 * which build the context, validate outputs against their schema and map failures.
 */
import {
  type CallToolResult,
  type McpRequestContext,
  McpServer,
  ResourceTemplate,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type * as z from 'zod';
import { type Caller, configuredCaller } from './caller.ts';
import { handlerContext } from './context.ts';
import type { PromptDefinition, ResourceDefinition, TemplateDefinition, ToolDefinition } from './define.ts';
import { isToolError, TOOL_ERROR_META_KEY } from './errors.ts';
import { type HealthCheck, healthTool } from './health.ts';
import { createLogger, type Logger } from './logger.ts';
import { portable, portableInput } from './portable-schema.ts';

export interface ServerDefinition {
  name: string;
  version: string;
  instructions?: string;
  tools: ToolDefinition[];
  resources?: (ResourceDefinition | TemplateDefinition)[];
  prompts?: PromptDefinition[];
  /** Dependency checks for the `health` tool and `/healthz`. */
  checks?: Record<string, HealthCheck>;
  /** Releases what the server holds (pools, files) when it stops. */
  close?: () => Promise<void>;
}

export interface DomainServer {
  readonly definition: ServerDefinition;
  readonly log: Logger;
  readonly checks: Record<string, HealthCheck>;
  /** A fresh SDK server: one per 2025-era session, one per 2026-07-28 request. */
  create(ctx?: McpRequestContext): McpServer;
  close(): Promise<void>;
}

export function defineServer(
  definition: ServerDefinition,
  log = createLogger(definition.name),
): DomainServer {
  const names = new Set<string>();
  for (const tool of definition.tools) {
    if (names.has(tool.name) || tool.name === 'health') throw new Error(`duplicate tool name: ${tool.name}`);
    names.add(tool.name);
  }
  const checks = definition.checks ?? {};
  const tools = [...definition.tools, healthTool(definition, checks)];
  const fallbackCaller = configuredCaller();
  let closing: Promise<void> | undefined;
  return {
    definition,
    log,
    checks,
    create: () => buildMcpServer(definition, tools, log, fallbackCaller),
    close: () => {
      closing ??= definition.close?.() ?? Promise.resolve();
      return closing;
    },
  };
}

function buildMcpServer(
  definition: ServerDefinition,
  tools: ToolDefinition[],
  log: Logger,
  caller: Caller | null,
): McpServer {
  const resources = definition.resources ?? [];
  const prompts = definition.prompts ?? [];
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: {
        tools: {},
        logging: {},
        ...(resources.length > 0 ? { resources: {} } : {}),
        ...(prompts.length > 0 ? { prompts: {} } : {}),
      },
      ...(definition.instructions === undefined ? {} : { instructions: definition.instructions }),
    },
  );
  for (const tool of tools) registerTool(server, tool, log, caller);
  for (const resource of resources) registerResource(server, resource, log, caller);
  for (const prompt of prompts) registerPrompt(server, prompt, log, caller);
  return server;
}

function registerTool(server: McpServer, tool: ToolDefinition, log: Logger, caller: Caller | null): void {
  server.registerTool(
    tool.name,
    {
      ...(tool.title === undefined ? {} : { title: tool.title }),
      description: tool.description,
      // Portable spellings (no type arrays, no empty schemas): see portable-schema.ts.
      inputSchema: portableInput(tool.input),
      outputSchema: portable(tool.output),
      ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
    },
    (args: z.output<ToolDefinition['input']>, ctx: ServerContext) =>
      runTool(tool, args, handlerContext(ctx, log, tool.name, caller)),
  );
}

/** Runs a tool's handler and turns what it returns or throws into a `CallToolResult`. */
export async function runTool(
  tool: ToolDefinition,
  args: z.output<ToolDefinition['input']>,
  ctx: ReturnType<typeof handlerContext>,
): Promise<CallToolResult> {
  let raw: unknown;
  try {
    raw = await tool.handler(args, ctx);
  } catch (error) {
    return failure(tool.name, error, ctx.log);
  }
  const parsed = tool.output.safeParse(raw);
  if (!parsed.success) {
    ctx.log.error({ issues: parsed.error.issues }, 'tool output does not match its output schema');
    return errorResult(`${tool.name} failed: its output did not match the declared output schema.`, {
      code: 'invalid_output',
    });
  }
  const output = parsed.data as Record<string, unknown>;
  return {
    content: [{ type: 'text', text: tool.text ? tool.text(output) : JSON.stringify(output) }],
    structuredContent: output,
  };
}

function failure(toolName: string, error: unknown, log: Logger): CallToolResult {
  if (isToolError(error)) {
    return errorResult(error.message, {
      code: error.code,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return errorResult(`${toolName} was cancelled.`, { code: 'cancelled' });
  }
  log.error({ err: error }, 'tool failed');
  const message = error instanceof Error ? error.message : String(error);
  return errorResult(`${toolName} failed: ${message}`, { code: 'internal' });
}

function errorResult(text: string, meta: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }], _meta: { [TOOL_ERROR_META_KEY]: meta } };
}

function registerResource(
  server: McpServer,
  resource: ResourceDefinition | TemplateDefinition,
  log: Logger,
  caller: Caller | null,
): void {
  const metadata = {
    ...(resource.title === undefined ? {} : { title: resource.title }),
    ...(resource.description === undefined ? {} : { description: resource.description }),
    ...(resource.mimeType === undefined ? {} : { mimeType: resource.mimeType }),
  };
  if (resource.kind === 'resource') {
    server.registerResource(resource.name, resource.uri, metadata, (uri, ctx) =>
      resource.read(uri, handlerContext(ctx, log, resource.uri, caller)),
    );
    return;
  }
  const template = new ResourceTemplate(resource.uriTemplate, {
    list: resource.list
      ? async (ctx) => {
          const entries = await resource.list?.(handlerContext(ctx, log, resource.uriTemplate, caller));
          return { resources: (entries ?? []).map((e) => ({ ...e, ...metadataMime(resource) })) };
        }
      : undefined,
    ...(resource.complete ? { complete: completers(resource.complete) } : {}),
  });
  server.registerResource(resource.name, template, metadata, (uri, variables, ctx) =>
    resource.read(uri, flatten(variables), handlerContext(ctx, log, resource.uriTemplate, caller)),
  );
}

function metadataMime(resource: TemplateDefinition): { mimeType?: string } {
  return resource.mimeType === undefined ? {} : { mimeType: resource.mimeType };
}

function completers(
  complete: Record<string, (prefix: string) => Promise<string[]>>,
): Record<string, (value: string) => Promise<string[]>> {
  return Object.fromEntries(
    Object.entries(complete).map(([name, fn]) => [name, (value: string) => fn(value)]),
  );
}

function flatten(variables: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value]),
  );
}

function registerPrompt(
  server: McpServer,
  prompt: PromptDefinition,
  log: Logger,
  caller: Caller | null,
): void {
  server.registerPrompt(
    prompt.name,
    {
      ...(prompt.title === undefined ? {} : { title: prompt.title }),
      description: prompt.description,
      argsSchema: prompt.args,
    },
    (args: z.output<PromptDefinition['args']>, ctx: ServerContext) =>
      prompt.render(args, handlerContext(ctx, log, prompt.name, caller)),
  );
}
