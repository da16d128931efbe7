export { CATALOG_URI_TEMPLATE, catalogDocument } from './catalog-resource.ts';
export { configFromEnv, type PlatformOpsConfig, pinnedClock } from './config.ts';
export { PlatformApi, type PlatformApiOptions } from './connectors/platform-api.ts';
export { createPlatformOpsServer, SERVER_NAME, SERVER_VERSION } from './server.ts';
export { IDEMPOTENCY_WINDOW_MS, idempotencyKey } from './tools/action-tools.ts';
