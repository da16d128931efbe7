/**
 * The smallest ToolSource: tools that are plain async functions in the test process. The agent
 * loop's own tests use it to control timing (concurrent calls, a call that waits for the turn's
 * cancellation, an approval question); the MCP-side sources are exercised end to end through a
 * real gateway in chat-cli.test.ts and demo-chat.test.ts.
 */
import type { CallToolOptions, HostTool, HostToolResult, ToolSource } from '../../src/contract.ts';

export type ToolFunction = (args: Record<string, unknown>, options: CallToolOptions) => Promise<string>;

export interface FunctionTool {
  description: string;
  inputSchema?: Record<string, unknown>;
  run: ToolFunction;
}

export interface CallLog {
  name: string;
  args: Record<string, unknown>;
  startedAt: number;
  endedAt?: number;
}

export function functionToolSource(tools: Record<string, FunctionTool>): ToolSource & { calls: CallLog[] } {
  const calls: CallLog[] = [];
  const list: HostTool[] = Object.entries(tools).map(([name, tool]) => ({
    name,
    server: 'local',
    serverToolName: name,
    description: tool.description,
    inputSchema: tool.inputSchema ?? { type: 'object', properties: {} },
  }));
  return {
    calls,
    tools: () => list,
    onToolsChanged: () => () => {},
    async callTool(name, args, options): Promise<HostToolResult> {
      const tool = tools[name];
      if (tool === undefined) return { text: `no tool ${name}`, isError: true, raw: {} };
      const log: CallLog = { name, args, startedAt: performance.now() };
      calls.push(log);
      try {
        const text = await tool.run(args, options);
        return { text, isError: false, raw: { content: [{ type: 'text', text }] } };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        return { text, isError: true, raw: { content: [{ type: 'text', text }], isError: true } };
      } finally {
        log.endedAt = performance.now();
      }
    },
    close: async () => {},
  };
}
