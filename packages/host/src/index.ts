// The model side: providers, the agent loop, its events and its transcript.
export {
  type AgentEvent,
  type AgentEventListener,
  type ChosenModel,
  Conversation,
  type ConversationOptions,
  chooseModel,
  countToolDefinitionTokens,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_STEPS,
  PROVIDERS,
  ProviderConfigError,
  type ProviderName,
  type ToolCallRecord,
  type Transcript,
  type TurnOutcome,
  type TurnRecord,
  type TurnTokens,
} from './agent/index.ts';
export type {
  CallStatus,
  CallToolOptions,
  HostTool,
  HostToolResult,
  ResolvedCall,
  ToolHints,
  ToolSource,
  UserAnswer,
  UserQuestion,
} from './contract.ts';
export * from './mcp/index.ts';
// The host's own tool selection (search_tools / call_tool) over servers it talks to directly.
export * from './selection/index.ts';
