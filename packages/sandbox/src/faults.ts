/**
 * Fault knobs per sandbox service: added latency, a share of requests answered with a 5xx, and a
 * full outage. Set at start (`--fault hubspot:latency=200,errors=0.1`) or at run time through the
 * control API (`PUT /_sandbox/faults/hubspot`), so tests can break one system while the others
 * keep answering.
 */
import type { MiddlewareHandler } from 'hono';

export interface FaultKnobs {
  /** Added to every answer, in milliseconds. */
  latencyMs: number;
  /** Share of requests (0..1) answered with HTTP 500/502/503. */
  errorRate: number;
  /** Every request answered 503. */
  outage: boolean;
}

export const NO_FAULTS: FaultKnobs = { latencyMs: 0, errorRate: 0, outage: false };

export class Faults {
  private readonly knobs = new Map<string, FaultKnobs>();

  get(service: string): FaultKnobs {
    return this.knobs.get(service) ?? NO_FAULTS;
  }

  set(service: string, knobs: Partial<FaultKnobs>): FaultKnobs {
    const next = { ...this.get(service), ...knobs };
    if (!(next.latencyMs >= 0 && next.latencyMs <= 600_000)) throw new Error('latencyMs must be 0..600000');
    if (!(next.errorRate >= 0 && next.errorRate <= 1)) throw new Error('errorRate must be 0..1');
    this.knobs.set(service, next);
    return next;
  }

  reset(): void {
    this.knobs.clear();
  }

  all(): Record<string, FaultKnobs> {
    return Object.fromEntries(this.knobs);
  }

  /** Hono middleware applying the service's knobs before its routes run. */
  middleware(service: string, random: () => number = Math.random): MiddlewareHandler {
    return async (c, next) => {
      const knobs = this.get(service);
      if (knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, knobs.latencyMs));
      if (knobs.outage)
        return c.json({ status: 'error', message: `${service} is down (sandbox outage)` }, 503);
      if (knobs.errorRate > 0 && random() < knobs.errorRate) {
        const status = ([500, 502, 503] as const)[Math.floor(random() * 3)] ?? 503;
        return c.json({ status: 'error', message: `${service} failed (sandbox fault injection)` }, status);
      }
      await next();
    };
  }
}

/** Parses `service:latency=200,errors=0.1,outage` (the `--fault` flag). */
export function parseFaultFlag(flag: string): { service: string; knobs: Partial<FaultKnobs> } {
  const [service, spec = ''] = flag.split(':', 2);
  if (!service) throw new Error(`--fault ${flag}: expected service:knob=value,…`);
  const knobs: Partial<FaultKnobs> = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const [key, value] = part.split('=', 2);
    if (key === 'latency') knobs.latencyMs = Number(value);
    else if (key === 'errors') knobs.errorRate = Number(value);
    else if (key === 'outage') knobs.outage = value === undefined || value === 'true';
    else throw new Error(`--fault ${flag}: unknown knob ${key} (latency, errors, outage)`);
  }
  return { service, knobs };
}
