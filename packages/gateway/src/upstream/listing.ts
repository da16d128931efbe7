/**
 * An upstream's lists — tools, prompts, resources with their templates — read fresh from its SDK
 * client, one kind at a time (a list_changed re-lists only its kind). A kind the server does not
 * advertise is not asked for.
 */
import type { Client, Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import type { ListKind } from './change-feed.ts';

export interface UpstreamSnapshot {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplateType[];
}

/** The part of the snapshot that `kind` fills; empty when the server does not offer it. */
export async function listKind(
  client: Client,
  kind: ListKind,
  timeoutMs: number,
): Promise<Partial<UpstreamSnapshot>> {
  const caps = client.getServerCapabilities() ?? {};
  const options = { timeout: timeoutMs, cacheMode: 'refresh' as const };
  if (kind === 'tools' && caps.tools) return { tools: (await client.listTools(undefined, options)).tools };
  if (kind === 'prompts' && caps.prompts)
    return { prompts: (await client.listPrompts(undefined, options)).prompts };
  if (kind === 'resources' && caps.resources) {
    const [listed, templates] = await Promise.all([
      client.listResources(undefined, options),
      client.listResourceTemplates(undefined, options),
    ]);
    return { resources: listed.resources, templates: templates.resourceTemplates };
  }
  return {};
}
