/**
 * Whether the rate limits count in Redis right now: a circuit breaker in front of the shared
 * counters. One failed or timed-out Redis command (or the client reporting a lost connection)
 * opens it, and every call after that counts in this replica's memory at once — a Redis that is
 * down costs nothing, a hung one costs the one call that found out (`redis.timeoutMs`), not every
 * call. While open, a background PING probes Redis every `probeIntervalMs` (calls never wait for
 * it); the first answer, or the client becoming ready again, closes the circuit. Each change is
 * logged once and counted (`failovers`), for the metrics.
 */
import type { Redis as RedisClient } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

export class RedisCircuit {
  readonly #client: RedisClient;
  readonly #log: Logger;
  readonly #probeIntervalMs: number;
  readonly #onRecovered: () => void;
  #open = false;
  #failovers = 0;
  #probe: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(client: RedisClient, log: Logger, probeIntervalMs: number, onRecovered: () => void) {
    this.#client = client;
    this.#log = log;
    this.#probeIntervalMs = probeIntervalMs;
    this.#onRecovered = onRecovered;
    client.on('error', (error: Error) => this.trip(error.message));
    client.on('close', () => this.trip('the connection to Redis closed'));
    client.on('ready', () => this.#close());
  }

  /** True while the limits count in Redis; false while this replica counts on its own. */
  get shared(): boolean {
    return !this.#open;
  }

  /** How many times this replica has failed over to counting on its own. */
  get failovers(): number {
    return this.#failovers;
  }

  /** Redis just failed: count locally from now on, until a probe gets an answer. */
  trip(reason: string): void {
    if (this.#open || this.#stopped) return;
    this.#open = true;
    this.#failovers += 1;
    this.#log.warn(
      { reason, probeIntervalMs: this.#probeIntervalMs },
      'rate limits: Redis unavailable; failing over to counting in this replica (which knows its own calls in the current window) until Redis answers again',
    );
    this.#scheduleProbe();
  }

  /** Stops probing (on shutdown); the client's own closing is not a failure. */
  stop(): void {
    this.#stopped = true;
    if (this.#probe !== null) clearTimeout(this.#probe);
    this.#probe = null;
  }

  #scheduleProbe(): void {
    if (this.#probe !== null || this.#stopped) return;
    this.#probe = setTimeout(() => {
      this.#probe = null;
      void this.#ping();
    }, this.#probeIntervalMs);
    this.#probe.unref();
  }

  async #ping(): Promise<void> {
    if (!this.#open || this.#stopped) return;
    try {
      await this.#client.ping();
      this.#close();
    } catch {
      this.#scheduleProbe();
    }
  }

  #close(): void {
    if (!this.#open || this.#stopped) return;
    this.#open = false;
    if (this.#probe !== null) clearTimeout(this.#probe);
    this.#probe = null;
    this.#log.info('rate limits: Redis answers again; limits are shared between replicas again');
    this.#onRecovered();
  }
}
