/**
 * An upstream's lists — tools, prompts, resources with their templates — read fresh from its SDK
 * client, one kind at a time (a list_changed re-lists only its kind). A kind the server does not
 * advertise is not asked for; a server that advertises resources but answers "method not found" to
 * the templates list has none.
 */

import type { ListKind } from '@gatehouse/client-edge';
import type { Client, Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';

export interface UpstreamSnapshot {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplateType[];
}

const METHOD_NOT_FOUND = -32601;

/**
 * Some servers declare `resources` but have no `resources/templates/list` (mcp-server-kubernetes
 * answers -32601): that server has no templates. Any other failure is the listing's failure.
 */
function noTemplates(error: unknown): ResourceTemplateType[] {
  if ((error as { code?: unknown } | null)?.code === METHOD_NOT_FOUND) return [];
  throw error;
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
      client.listResourceTemplates(undefined, options).then(
        (page) => page.resourceTemplates,
        (error: unknown) => noTemplates(error),
      ),
    ]);
    return { resources: listed.resources, templates };
  }
  return {};
}
