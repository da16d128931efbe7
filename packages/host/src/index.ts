export type {
  CallStatus,
  CallToolOptions,
  HostTool,
  HostToolResult,
  ToolSource,
  UserAnswer,
  UserQuestion,
} from './contract.ts';
export * from './mcp/index.ts';
