export { configFromEnv, type LanternMcpConfig } from './config.ts';
export { LanternApi } from './lantern-api.ts';
export { createLanternMcpServer, LANTERN_MCP_VERSION, type LanternMcpDeps } from './server.ts';
