/**
 * Health probing for one upstream: every `intervalMs` a cheap request (ping, or server/discover
 * on 2026-07-28) must answer within `timeoutMs`; after `evictAfter` failures in a row the owner
 * is told to evict the upstream. Probes go around the bulkhead and breaker: they measure the
 * upstream itself, not the gateway's queue in front of it.
 */
export interface ProbeSettings {
  intervalMs: number;
  timeoutMs: number;
  evictAfter: number;
}

export class HealthProbe {
  private readonly settings: ProbeSettings;
  private readonly probe: (timeoutMs: number) => Promise<unknown>;
  private readonly onEvict: (reason: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    settings: ProbeSettings,
    probe: (timeoutMs: number) => Promise<unknown>,
    onEvict: (reason: string) => void,
  ) {
    this.settings = settings;
    this.probe = probe;
    this.onEvict = onEvict;
  }

  start(): void {
    if (this.settings.intervalMs === 0 || this.timer !== null) return;
    this.failures = 0;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.settings.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let failure: string | null = null;
    try {
      await this.probe(this.settings.timeoutMs);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (this.timer === null) return; // stopped while probing
    if (failure === null) this.failures = 0;
    else if (++this.failures >= this.settings.evictAfter) {
      this.stop();
      this.onEvict(`${this.failures} health probes failed in a row (last: ${failure})`);
      return;
    }
    this.schedule();
  }
}
