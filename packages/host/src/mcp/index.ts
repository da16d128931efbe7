export type { ApprovalWaitOptions } from './call.ts';
export type { ConnectionState } from './connection.ts';
export { HostError, type HostErrorKind, isHostError } from './errors.ts';
export { isValidToolName, MAX_TOOL_NAME, sanitizeName } from './names.ts';
export type { ReconnectOptions } from './reconnect.ts';
export type { HostPrompt, HostResource, HostResourceTemplate } from './registry.ts';
export {
  type HttpServerConfig,
  type ProtocolChoice,
  parseServersText,
  readServersFile,
  type ServerConfig,
  type StdioServerConfig,
} from './servers-file.ts';
export {
  type CommonSourceOptions,
  connectToolSource,
  type McpToolSource,
  type ServerStatus,
  type ToolSourceOptions,
} from './tool-source.ts';
