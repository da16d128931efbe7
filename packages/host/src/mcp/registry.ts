/**
 * The registry across servers: every server's tools, prompts and resources under names that are
 * unique and valid for model APIs (names.ts), rebuilt whenever a server's lists change. Tools
 * and prompts are named independently (a prompt may share a tool's name); resources keep their
 * URIs and say which server they come from.
 */
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import type { HostTool } from '../contract.ts';
import type { ServerConnection } from './connection.ts';
import { assignNames, wantedName } from './names.ts';

export interface HostPrompt {
  /** Unique across the registry (namespaced like tools). */
  name: string;
  server: string;
  serverPromptName: string;
  description: string;
  arguments: NonNullable<Prompt['arguments']>;
}

export interface HostResource {
  uri: string;
  server: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface HostResourceTemplate {
  uriTemplate: string;
  server: string;
  name: string;
  description?: string;
}

export interface Catalog {
  tools: HostTool[];
  prompts: HostPrompt[];
  resources: HostResource[];
  templates: HostResourceTemplate[];
  /** Registry name → the connection that owns the tool. */
  toolOwners: Map<string, ServerConnection>;
  promptOwners: Map<string, ServerConnection>;
}

function toolOf(server: string, tool: Tool, name: string): HostTool {
  return {
    name,
    server,
    serverToolName: tool.name,
    description: tool.description ?? tool.title ?? '',
    inputSchema: (tool.inputSchema ?? { type: 'object' }) as Record<string, unknown>,
    ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
  };
}

/** The catalog of `connections` (in order); `prefixed` puts `<server>__` before each name. */
export function buildCatalog(connections: readonly ServerConnection[], prefixed: boolean): Catalog {
  const tools = connections.flatMap((c) => c.lists.tools.map((tool) => ({ c, tool })));
  const toolNames = assignNames(tools.map(({ c, tool }) => wantedName(c.name, tool.name, prefixed)));
  const prompts = connections.flatMap((c) => c.lists.prompts.map((prompt) => ({ c, prompt })));
  const promptNames = assignNames(prompts.map(({ c, prompt }) => wantedName(c.name, prompt.name, prefixed)));
  const toolOwners = new Map<string, ServerConnection>();
  const promptOwners = new Map<string, ServerConnection>();
  return {
    tools: tools.map(({ c, tool }, i) => {
      const name = toolNames[i] as string;
      toolOwners.set(name, c);
      return toolOf(c.name, tool, name);
    }),
    prompts: prompts.map(({ c, prompt }, i) => {
      const name = promptNames[i] as string;
      promptOwners.set(name, c);
      return {
        name,
        server: c.name,
        serverPromptName: prompt.name,
        description: prompt.description ?? '',
        arguments: prompt.arguments ?? [],
      };
    }),
    resources: connections.flatMap((c) => c.lists.resources.map((r: Resource) => resourceOf(c.name, r))),
    templates: connections.flatMap((c) =>
      c.lists.templates.map((t: ResourceTemplateType) => ({
        uriTemplate: t.uriTemplate,
        server: c.name,
        name: t.name,
        ...(t.description === undefined ? {} : { description: t.description }),
      })),
    ),
    toolOwners,
    promptOwners,
  };
}

function resourceOf(server: string, r: Resource): HostResource {
  return {
    uri: r.uri,
    server,
    name: r.name,
    ...(r.description === undefined ? {} : { description: r.description }),
    ...(r.mimeType === undefined ? {} : { mimeType: r.mimeType }),
  };
}

/** A stable fingerprint of what the model sees, so listeners hear only of real changes. */
export function toolsFingerprint(tools: readonly HostTool[]): string {
  return JSON.stringify(tools.map((t) => [t.name, t.description, t.inputSchema]));
}
