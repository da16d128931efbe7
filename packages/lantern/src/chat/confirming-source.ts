/**
 * The built-in chat's rule for destructive tools: before a call to a tool its server annotates
 * `destructiveHint: true` runs, the signed-in user is asked in the page. Anything but a yes
 * answers the model with an error result saying nothing was done — the call never leaves the
 * product. Every other call passes through untouched.
 */
import type { CallToolOptions, HostToolResult, ToolSource } from '@gatehouse/host';

function declined(name: string): HostToolResult {
  const text = `The user declined ${name}; nothing was done. Do not retry unless they ask again.`;
  return { text, isError: true, raw: { content: [{ type: 'text', text }], isError: true } };
}

function describeCall(name: string, args: Record<string, unknown>): string {
  const shown = JSON.stringify(args);
  return `${name}(${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown})`;
}

export function confirmingDestructive(source: ToolSource): ToolSource {
  return {
    tools: () => source.tools(),
    onToolsChanged: (listener) => source.onToolsChanged(listener),
    ...(source.resolveCall === undefined ? {} : { resolveCall: source.resolveCall.bind(source) }),
    close: () => source.close(),
    async callTool(name: string, args: Record<string, unknown>, options: CallToolOptions) {
      const tool = source.tools().find((t) => t.name === name);
      if (tool?.annotations?.destructiveHint === true) {
        const answer = await options.ask({
          message: `The assistant wants to run ${describeCall(name, args)}. This cannot be undone. Go ahead?`,
          tool: name,
        });
        if (answer.action !== 'accept') return declined(name);
      }
      return source.callTool(name, args, options);
    },
  };
}
