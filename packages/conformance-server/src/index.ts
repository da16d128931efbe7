/**
 * @gatehouse/conformance-server — Gatehouse's own MCP server exposing everything the
 * official conformance suite's server scenarios call, built on the MCP TypeScript SDK v2.
 *
 * `createConformanceServer` is the per-era server factory; `startConformanceHttpServer`
 * serves it over Streamable HTTP for both protocol eras.
 */
export type { ConformanceDeps, Era } from './context.ts';
export { createConformanceDeps } from './context.ts';
export {
  type ConformanceHttpOptions,
  type ConformanceHttpServer,
  createConformanceFetchHandler,
  startConformanceHttpServer,
} from './http.ts';
export { CONFORMANCE_SERVER_INFO, createConformanceServer } from './server.ts';
