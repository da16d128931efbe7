/**
 * search_tools' answer: the tools found, each as the caller's tools/list would show it in its era,
 * as JSON text for the model and as `structuredContent` for programs; when nothing matched, a
 * note says so and what to try (searchToolsAnswer).
 */
import { searchToolsAnswer } from '@gatehouse/tool-search';
import type { Tool } from '@modelcontextprotocol/client';

/**
 * A tool as listed in `era`: 2026-07-28 lists carry no `execution` (the SDK deletes it from list
 * pages, and so does this). A 2025-era list would also wrap a non-object `outputSchema` root; such
 * a schema is passed as the upstream wrote it.
 */
function asListed(tool: Tool, era: 'legacy' | 'modern'): Tool {
  if (era === 'legacy' || !('execution' in tool)) return tool;
  const { execution: _, ...rest } = tool;
  return rest as Tool;
}

export function searchAnswer(tools: readonly Tool[], era: 'legacy' | 'modern'): Record<string, unknown> {
  const found = searchToolsAnswer(tools.map((tool) => asListed(tool, era)));
  return { content: [{ type: 'text', text: JSON.stringify(found) }], structuredContent: found };
}
