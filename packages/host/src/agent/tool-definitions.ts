/**
 * The tool catalog as the model receives it: each ToolSource tool becomes an AI SDK tool whose
 * JSON Schema passes through unchanged (the gateway, not the host, validates arguments), and the
 * size of that catalog in tokens.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { HostTool } from '../contract.ts';

/** The part of a tool definition every provider sends: name, description and argument schema. */
export function toolDefinitionPayload(tools: readonly HostTool[]): string {
  return JSON.stringify(
    tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema })),
  );
}

/**
 * How many tokens the tool definitions cost in one model request, counted with the o200k
 * encoding (a provider's own tokenizer may differ by a few percent; none publishes Anthropic's).
 */
export function countToolDefinitionTokens(tools: readonly HostTool[]): number {
  return tools.length === 0 ? 0 : countTokens(toolDefinitionPayload(tools));
}
