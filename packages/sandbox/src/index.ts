export { createSandboxApp, type SandboxApp, type SandboxAppOptions } from './app.ts';
export { runSandboxCli, SANDBOX_USAGE } from './cli.ts';
export { type FaultKnobs, Faults, parseFaultFlag } from './faults.ts';
export { derive, Random } from './random.ts';
export { type RunningSandbox, startSandbox } from './server.ts';
export type { SandboxOptions, SandboxService, ServiceFactory } from './service.ts';
