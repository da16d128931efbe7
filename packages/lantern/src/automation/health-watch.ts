/**
 * The health watch: Lantern's AgenticOps job. On its interval (and on demand, `runOnce`) it
 * connects to the gateway with its own key and to Lantern's internal MCP server as
 * `automation:<name>` in its org, runs the steps of run.ts, records the run in the activity log,
 * and closes both connections. Runs never overlap (a run asked for while one runs gets that run's
 * report); a run never throws — what failed is in its report and in the activity log — and the
 * schedule goes on whatever a run met.
 */
import type { McpToolSource } from '@gatehouse/host';
import * as z from 'zod';
import { HealthRun, type RunReport } from './run.ts';
import {
  type CallLimits,
  connectGateway,
  connectInternal,
  type InternalAccess,
  oneLine,
  ToolClient,
} from './tools.ts';

export const AutomationConfigSchema = z.object({
  /** Gatehouse's MCP endpoint and an API key of a role that may use the platform and knowledge tools. */
  gateway: z.object({ url: z.url({ protocol: /^https?$/ }), key: z.string().min(1) }),
  /** The Lantern org the automation acts in (its incidents are opened there). */
  org: z.string().min(1),
  /** `automation:<name>` in the activity log. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
    .default('health-watch'),
  /** Between the end of one run and the start of the next; 0: only on demand. */
  intervalMs: z.number().int().min(0).default(60_000),
  /** The services to watch; default the org's services in Lantern. */
  services: z.array(z.string().min(1)).min(1).optional(),
  /** Resolve the incident when its service is healthy again (a note says so either way). */
  resolveOnRecovery: z.boolean().default(true),
  /** A deploy at most this old when the problem is seen is blamed (and a rollback proposed). */
  recentDeployMinutes: z.number().int().min(1).default(120),
  /** Each MCP call's limit. */
  callTimeoutMs: z.number().int().min(100).default(60_000),
  connectTimeoutMs: z.number().int().min(100).default(15_000),
});

export type AutomationConfig = z.input<typeof AutomationConfigSchema>;
type Settings = z.output<typeof AutomationConfigSchema>;

/** Checks the configuration; the message names every problem (never the key's value). */
export function parseAutomationConfig(config: AutomationConfig): Settings {
  const parsed = AutomationConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'automation'}: ${i.message}`);
  throw new Error(`invalid automation configuration: ${problems.join('; ')}`);
}

export class HealthWatch {
  readonly #settings: Settings;
  readonly #internal: () => InternalAccess | undefined;
  readonly #logError: (error: unknown) => void;
  #running: Promise<RunReport> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #abort = new AbortController();
  #last: RunReport | undefined;

  constructor(
    config: AutomationConfig,
    internal: () => InternalAccess | undefined,
    logError: (error: unknown) => void,
  ) {
    this.#settings = parseAutomationConfig(config);
    this.#internal = internal;
    this.#logError = logError;
  }

  /** `automation:<name>` */
  get identity(): string {
    return `automation:${this.#settings.name}`;
  }

  get org(): string {
    return this.#settings.org;
  }

  /** The gateway's URL as it may be shown (no credentials, query or fragment). */
  get gatewayLabel(): string {
    const url = new URL(this.#settings.gateway.url);
    return `${url.protocol}//${url.host}${url.pathname}`;
  }

  get intervalMs(): number {
    return this.#settings.intervalMs;
  }

  /** The last finished run's report. */
  get lastReport(): RunReport | undefined {
    return this.#last;
  }

  /** Starts the schedule (the first run one interval from now); nothing when the interval is 0. */
  start(): void {
    if (this.#settings.intervalMs > 0 && !this.#closed) this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.runOnce().finally(() => {
        if (!this.#closed) this.#schedule();
      });
    }, this.#settings.intervalMs);
    this.#timer.unref();
  }

  /** Runs now (or joins the run under way); resolves with its report, never rejects. */
  runOnce(): Promise<RunReport> {
    if (this.#running !== undefined) return this.#running;
    const run = this.#run().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort(new Error('Lantern is stopping'));
    await this.#running?.catch(() => undefined);
  }

  async #run(): Promise<RunReport> {
    const report: RunReport = {
      automation: this.identity,
      org: this.#settings.org,
      startedAt: new Date().toISOString(),
      finishedAt: '',
      ok: false,
      checked: [],
      opened: [],
      actions: [],
      recovered: [],
      failures: [],
    };
    try {
      await this.#steps(report);
    } catch (error) {
      report.failures.push({ step: 'run', target: this.#settings.org, message: oneLine(error) });
      this.#logError(error);
    }
    report.finishedAt = new Date().toISOString();
    report.ok = report.failures.length === 0;
    this.#last = report;
    return report;
  }

  #runSettings() {
    return {
      identity: this.identity,
      org: this.#settings.org,
      services: this.#settings.services,
      resolveOnRecovery: this.#settings.resolveOnRecovery,
      recentDeployMinutes: this.#settings.recentDeployMinutes,
    };
  }

  /**
   * Connects to the gateway, waits for it to list the health tool, runs `use`, and closes; rejects
   * with the one line to record when the gateway cannot be used at all.
   */
  async #throughGateway(
    limits: CallLimits,
    signal: AbortSignal,
    use: (gateway: ToolClient) => Promise<void>,
  ): Promise<void> {
    let source: McpToolSource;
    try {
      source = await connectGateway(this.#settings.gateway, limits);
    } catch (error) {
      throw new GatewayUnusable(`could not reach Gatehouse: ${oneLine(error)}`);
    }
    try {
      if (await waitForTool(source, HEALTH_TOOL, this.#settings.connectTimeoutMs, signal))
        throw new GatewayUnusable(
          `the gateway offers this automation's key no ${HEALTH_TOOL} (its role may not use it, or the platform server is not connected there)`,
        );
      await use(new ToolClient(source, signal));
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  async #steps(report: RunReport): Promise<void> {
    const access = this.#internal();
    if (access === undefined) {
      report.failures.push({
        step: 'connect-lantern',
        target: this.#settings.org,
        message: "Lantern's internal MCP server is off: the automation needs its incidents component",
      });
      return;
    }
    const limits: CallLimits = {
      timeoutMs: this.#settings.callTimeoutMs,
      connectTimeoutMs: this.#settings.connectTimeoutMs,
    };
    const signal = this.#abort.signal;
    const lanternSource = await connectInternal(
      access,
      { id: this.identity, org: this.#settings.org },
      limits,
    );
    try {
      const steps = new ToolClient(lanternSource, signal, 'automation__');
      const record = async (step: string, target: string, detail: Record<string, unknown>) => {
        const answer = await steps.call('record_step', { step, target, detail });
        if (answer.kind !== 'ok')
          this.#logError(new Error(`automation ${step} not recorded: ${answer.text}`));
      };
      const incidents = new ToolClient(lanternSource, signal, 'incidents__');
      await this.#throughGateway(limits, signal, async (gateway) => {
        const run = new HealthRun(gateway, incidents, record, this.#runSettings(), report);
        await run.execute();
      }).catch(async (error: unknown) => {
        if (!(error instanceof GatewayUnusable)) throw error;
        const message = error.message;
        report.failures.push({ step: 'connect-gateway', target: this.#settings.gateway.url, message });
        await record('failed', 'gateway', { step: 'connect-gateway', message });
      });
      await record('run', this.#settings.name, runSummary(report));
    } finally {
      await lanternSource.close().catch(() => undefined);
    }
  }
}

const HEALTH_TOOL = 'platform_get_service_health';

/** The gateway cannot be used for this run (unreachable, the key refused, no health tool). */
class GatewayUnusable extends Error {}

/**
 * Waits (up to `ms`) for the gateway to list `tool` — right after the gateway starts, its
 * upstreams may still be connecting. Resolves true when it never came.
 */
function waitForTool(source: McpToolSource, tool: string, ms: number, signal: AbortSignal): Promise<boolean> {
  const present = () => source.tools().some((t) => t.name === tool);
  if (present()) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (missing: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(missing);
    };
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(!present()), ms);
    const unsubscribe = source.onToolsChanged(() => {
      if (present()) done(false);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The run as one activity entry: what was seen, opened, asked for and what failed. */
function runSummary(report: RunReport): Record<string, unknown> {
  return {
    ok: report.failures.length === 0,
    checked: report.checked.length,
    degraded: report.checked
      .filter((c) => c.status === 'degraded' || c.status === 'down')
      .map((c) => c.service),
    opened: report.opened.map((o) => o.ref),
    actions: report.actions.map((a) => ({
      ref: a.ref,
      tool: a.tool,
      state: a.state,
      approvalId: a.approvalId ?? null,
    })),
    recovered: report.recovered.map((r) => r.ref),
    failures: report.failures
      .slice(0, 10)
      .map((f) => ({ step: f.step, target: f.target, message: f.message.slice(0, 300) })),
  };
}
