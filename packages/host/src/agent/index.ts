export {
  Conversation,
  type ConversationOptions,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_STEPS,
} from './conversation.ts';
export type { AgentEvent, AgentEventListener } from './events.ts';
export {
  type ChosenModel,
  chooseModel,
  DEFAULT_BASE_URLS,
  DEFAULT_MODELS,
  KEY_VARIABLES,
  PROVIDERS,
  ProviderConfigError,
  type ProviderName,
  type ProviderOptions,
} from './providers.ts';
export { countToolDefinitionTokens } from './tool-definitions.ts';
export type { ToolCallRecord, Transcript, TurnOutcome, TurnRecord, TurnTokens } from './transcript.ts';
