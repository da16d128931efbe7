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
  ToolSource,
  UserAnswer,
  UserQuestion,
} from './contract.ts';
export * from './mcp/index.ts';
