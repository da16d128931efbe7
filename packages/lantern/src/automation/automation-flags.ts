/**
 * `lantern serve`'s automation flags → the health watch's configuration. No
 * `--automation-gateway`, no automation. Its gateway key comes from the environment only
 * (`LANTERN_AUTOMATION_KEY`), never from a flag, so it is not in the process list.
 *
 *   --automation-gateway URL      Gatehouse's MCP endpoint
 *   --automation-org ORG          the Lantern org it acts in (default northwind)
 *   --automation-interval SECS    between runs (default 60; 0: only on demand)
 */
import type { AutomationConfig, HealthWatch } from './health-watch.ts';

export const AUTOMATION_KEY_ENV = 'LANTERN_AUTOMATION_KEY';

export const AUTOMATION_FLAGS = {
  'automation-gateway': { type: 'string' },
  'automation-org': { type: 'string' },
  'automation-interval': { type: 'string' },
} as const;

export interface AutomationFlagValues {
  'automation-gateway'?: string;
  'automation-org'?: string;
  'automation-interval'?: string;
}

export function automationConfigFromFlags(
  values: AutomationFlagValues,
  env: NodeJS.ProcessEnv,
): AutomationConfig | undefined {
  const url = values['automation-gateway'];
  if (url === undefined) {
    for (const flag of ['automation-org', 'automation-interval'] as const) {
      if (values[flag] !== undefined) throw new Error(`--${flag} needs --automation-gateway URL`);
    }
    return undefined;
  }
  const key = env[AUTOMATION_KEY_ENV];
  if (key === undefined || key.trim() === '')
    throw new Error(`--automation-gateway needs the automation's gateway key in ${AUTOMATION_KEY_ENV}`);
  const interval = values['automation-interval'] ?? '60';
  const seconds = Number(interval);
  if (interval.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw new Error(`invalid --automation-interval ${interval} (seconds; 0 runs only on demand)`);
  return {
    gateway: { url, key },
    org: values['automation-org'] ?? 'northwind',
    intervalMs: Math.round(seconds * 1000),
  };
}

/** What `lantern serve` prints about the automation. */
export function describeAutomation(watch: HealthWatch | undefined): string {
  if (watch === undefined)
    return 'lantern: automation: off (start with --automation-gateway URL and LANTERN_AUTOMATION_KEY to turn it on)';
  const every = watch.intervalMs === 0 ? 'on demand only' : `every ${watch.intervalMs / 1000} s`;
  return `lantern: automation: ${watch.identity} in ${watch.org} checks service health through ${watch.gatewayLabel}, ${every}`;
}
