export { type Caller, CallerSchema, PRINCIPAL_META_KEY } from './caller.ts';
export * from './define.ts';
export { isToolError, TOOL_ERROR_META_KEY, ToolError } from './errors.ts';
export { type HealthCheck, type HealthReport, HealthReportSchema } from './health.ts';
export { createFetchHandler, type HttpOptions, type RunningHttpServer, serveHttp } from './http.ts';
export { createLogger, type Logger } from './logger.ts';
export { runServer, type ServeOptions, type ServingHandle, serve, serveOptionsFromArgv } from './serve.ts';
export { type DomainServer, defineServer, type ServerDefinition } from './server.ts';
export { readServerTls, type ServerTls, type ServerTlsFiles } from './tls.ts';
