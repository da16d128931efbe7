export { publicApp } from './app.ts';
export type { ActionState, RunReport } from './automation/run.ts';
export type { ChatConfig } from './chat/chat-service.ts';
export { type CoreOptions, type LanternCore, openCore } from './core.ts';
export { SEED_USERS } from './db/seed.ts';
export { openSql, type Sql } from './db/sql.ts';
export { TOKEN_PREFIX } from './domain/accounts.ts';
export { isProductError, PRODUCT_ERRORS, ProductError } from './domain/errors.ts';
export type { Incident, IncidentWithNotes } from './domain/incident-model.ts';
export type { Actor, Role, UserIdentity } from './domain/permissions.ts';
export { type LanternOptions, type RunningLantern, startLantern } from './server.ts';

/** The seeded user whose API token the gateway's `lantern` upstream holds. */
export const GATEWAY_UPSTREAM_USER = 'gatehouse@northwind.example';
