export { formatIssue, loadConfigFile, loadConfigText } from './config/load.ts';
export type { GatewayModel, UpstreamModel } from './config/model.ts';
export { normalize } from './config/normalize.ts';
export { GatewayConfigSchema } from './config/schema.ts';
export { LocalErrors, WireErrors } from './errors/registry.ts';
export { Gateway } from './gateway.ts';
export { createLogger, silentLogger } from './observability/logger.ts';
export {
  definitionDiff,
  openPinStore,
  type PendingChange,
  PgPinStore,
  type PinInfo,
  type PinStore,
  SqlitePinStore,
  ToolPinning,
} from './pins/index.ts';
export { listenHttp } from './transport/http-server.ts';
