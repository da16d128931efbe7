/**
 * What one server offers — tools, prompts, resources and resource templates — read fresh from its
 * SDK client, one kind at a time (a list_changed re-reads only its kind). A kind the server does
 * not advertise is not asked for; templates a server does not implement count as none.
 */

import { LIST_KINDS, type ListKind } from '@gatehouse/client-edge';
import type { Client, Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';

export type { ListKind } from '@gatehouse/client-edge';

export interface ServerLists {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplateType[];
}

export const NO_LISTS: ServerLists = { tools: [], prompts: [], resources: [], templates: [] };

export async function readKind(
  client: Client,
  kind: ListKind,
  timeoutMs: number,
): Promise<Partial<ServerLists>> {
  const caps = client.getServerCapabilities() ?? {};
  const options = { timeout: timeoutMs, cacheMode: 'refresh' as const };
  if (kind === 'tools')
    return { tools: caps.tools ? (await client.listTools(undefined, options)).tools : [] };
  if (kind === 'prompts')
    return { prompts: caps.prompts ? (await client.listPrompts(undefined, options)).prompts : [] };
  if (!caps.resources) return { resources: [], templates: [] };
  const [listed, templates] = await Promise.all([
    client.listResources(undefined, options),
    client.listResourceTemplates(undefined, options).catch(() => ({ resourceTemplates: [] })),
  ]);
  return { resources: listed.resources, templates: templates.resourceTemplates };
}

export async function readAll(client: Client, timeoutMs: number): Promise<ServerLists> {
  const parts = await Promise.all(LIST_KINDS.map((kind) => readKind(client, kind, timeoutMs)));
  return Object.assign({ ...NO_LISTS }, ...parts) as ServerLists;
}
