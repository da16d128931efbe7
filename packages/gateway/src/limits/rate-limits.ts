/**
 * The rate-limit counters: one fixed-window limiter per rule (rate-limiter-flexible), counting in
 * this process's memory, or in Redis when `rateLimits.redis` is set so that every replica draws
 * from the same buckets.
 *
 * A Redis that is down, unreachable or hung never fails or stalls calls: commands are not queued
 * while disconnected and time out after `redis.timeoutMs`, and a circuit (redis-circuit.ts) sends
 * every call after the first failure straight to this replica's own counters until Redis answers
 * a probe. Those local counters shadow every call this replica lets through, even while Redis
 * counts, so a failover mid-window starts from what this replica already used in the window, not
 * from zero: each replica stays within the limit, the fleet within replicas × limit. The calls
 * counted locally during an outage are added to Redis when it is back.
 */
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitRuleModel, RateLimitsModel } from '../config/model-limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { Bucket } from './buckets.ts';
import { RedisCircuit } from './redis-circuit.ts';

/** Why a request was refused: the full bucket whose window ends last. */
export interface Refusal {
  rule: RateLimitRuleModel;
  retryAfterSeconds: number;
}

/** How often an open circuit probes Redis, at least (see probeIntervalFor). */
const MIN_PROBE_INTERVAL_MS = 1000;

/** A probe every second, or every two command timeouts when those are longer. */
function probeIntervalFor(timeoutMs: number): number {
  return Math.max(MIN_PROBE_INTERVAL_MS, 2 * timeoutMs);
}

/** One rule's counters: this replica's own (always), and Redis's when configured. */
interface RuleLimiters {
  local: RateLimiterMemory;
  shared: RateLimiterRedis | null;
  windowMs: number;
  /** Calls let through on the local counters during an outage, per key: added to Redis later. */
  owed: Map<string, { points: number; since: number }>;
}

/** Where a bucket's request was counted, so that a refused call can give it back there. */
type Taken = 'shared' | 'local';

/** Whether a bucket's request was taken, or the refusal (RateLimiterRes) or failure why not. */
type Outcome = { taken: Taken } | { refused: unknown };

/**
 * ioredis, loaded only when a rate limit is shared through Redis: a gateway that counts in
 * memory does not carry the client (a few MB of resident memory) for nothing.
 */
function loadRedis(): typeof import('ioredis').Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RateLimits {
  readonly rules: readonly RateLimitRuleModel[];
  private readonly limiters = new Map<string, RuleLimiters>();
  private readonly redis: RedisClient | null;
  private readonly circuit: RedisCircuit | null;

  /** The limiter for a model, or null when it has no rules (nothing to count, no Redis). */
  static create(model: RateLimitsModel, log: Logger): RateLimits | null {
    return model.rules.length === 0 ? null : new RateLimits(model, log);
  }

  constructor(model: RateLimitsModel, log: Logger) {
    this.rules = model.rules;
    const redisModel = model.redis;
    if (redisModel === null) {
      this.redis = null;
      this.circuit = null;
    } else {
      this.redis = new (loadRedis())(redisModel.url, {
        // Fail fast instead of queueing while disconnected: the local counters answer.
        enableOfflineQueue: false,
        commandTimeout: redisModel.timeoutMs,
        connectTimeout: Math.max(redisModel.timeoutMs, 1000),
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      });
      this.circuit = new RedisCircuit(this.redis, log, probeIntervalFor(redisModel.timeoutMs), () =>
        this.repayOwed(),
      );
    }
    for (const rule of model.rules) {
      const options = { points: rule.limit, duration: rule.windowSec };
      const shared =
        this.redis === null || redisModel === null
          ? null
          : new RateLimiterRedis({
              ...options,
              storeClient: this.redis,
              keyPrefix: `${redisModel.prefix}:ratelimit:${rule.name}`,
              rejectIfRedisNotReady: true,
            });
      this.limiters.set(rule.name, {
        local: new RateLimiterMemory({ ...options, keyPrefix: rule.name }),
        shared,
        windowMs: rule.windowSec * 1000,
        owed: new Map(),
      });
    }
  }

  /** 'redis' while the limits count in Redis, 'local' while failed over, null without Redis. */
  get sharedState(): 'redis' | 'local' | null {
    if (this.circuit === null) return null;
    return this.circuit.shared ? 'redis' : 'local';
  }

  /** How many times this replica failed over from Redis to its own counters. */
  get failovers(): number {
    return this.circuit?.failovers ?? 0;
  }

  /**
   * Takes one request from every bucket. If any bucket is full the request is refused: the
   * buckets that had room get their request back (a refused call costs no quota) and the refusal
   * names the bucket that stays full the longest.
   */
  async consume(buckets: readonly Bucket[]): Promise<Refusal | null> {
    const outcomes = await Promise.all(buckets.map((b) => this.take(b)));
    let refusal: Refusal | null = null;
    let unexpected: unknown;
    for (const [i, outcome] of outcomes.entries()) {
      if ('taken' in outcome) continue;
      if (!(outcome.refused instanceof RateLimiterRes)) {
        unexpected ??= outcome.refused;
        continue;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.refused.msBeforeNext / 1000));
      if (refusal === null || retryAfterSeconds > refusal.retryAfterSeconds) {
        refusal = { rule: (buckets[i] as Bucket).rule, retryAfterSeconds };
      }
    }
    if (refusal === null && unexpected === undefined) return null;
    await Promise.all(
      buckets.map((b, i) => {
        const outcome = outcomes[i];
        return outcome && 'taken' in outcome ? this.giveBack(b, outcome.taken) : undefined;
      }),
    );
    if (unexpected !== undefined) throw unexpected;
    return refusal;
  }

  /** Says goodbye to Redis; a hung one is given up on after one command timeout. */
  async close(): Promise<void> {
    const redis = this.redis;
    if (redis === null) return;
    this.circuit?.stop();
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }

  /** Counts the request in Redis while the circuit allows, else (or when Redis fails) locally. */
  private async take(bucket: Bucket): Promise<Outcome> {
    const limiters = this.limiter(bucket.rule);
    if (limiters.shared !== null && this.circuit?.shared) {
      try {
        await limiters.shared.consume(bucket.key);
      } catch (error) {
        if (error instanceof RateLimiterRes) return { refused: error };
        this.circuit.trip(errorText(error));
        return this.takeLocally(limiters, bucket.key);
      }
      // The shadow count: what this replica used in the window, should Redis fail later.
      await limiters.local.penalty(bucket.key, 1);
      return { taken: 'shared' };
    }
    return this.takeLocally(limiters, bucket.key);
  }

  private async takeLocally(limiters: RuleLimiters, key: string): Promise<Outcome> {
    try {
      await limiters.local.consume(key);
    } catch (error) {
      return { refused: error };
    }
    if (limiters.shared !== null) {
      const owed = limiters.owed.get(key);
      if (owed === undefined) limiters.owed.set(key, { points: 1, since: Date.now() });
      else owed.points += 1;
    }
    return { taken: 'local' };
  }

  /** A refused call costs no quota: its request goes back to the buckets that had room. */
  private async giveBack(bucket: Bucket, taken: Taken): Promise<void> {
    const limiters = this.limiter(bucket.rule);
    await limiters.local.reward(bucket.key, 1).catch(() => undefined);
    if (taken === 'shared') {
      await limiters.shared?.reward(bucket.key, 1).catch(() => undefined);
      return;
    }
    const owed = limiters.owed.get(bucket.key);
    if (owed !== undefined && --owed.points <= 0) limiters.owed.delete(bucket.key);
  }

  /**
   * Redis is back: the calls let through locally during the outage (in windows not yet over)
   * are added to the shared buckets, so the fleet's total for the window stays bounded.
   */
  private repayOwed(): void {
    const now = Date.now();
    for (const limiters of this.limiters.values()) {
      const owed = [...limiters.owed.entries()];
      limiters.owed.clear();
      for (const [key, { points, since }] of owed) {
        if (since + limiters.windowMs <= now) continue;
        limiters.shared?.penalty(key, points).catch((error: unknown) => this.circuit?.trip(errorText(error)));
      }
    }
  }

  private limiter(rule: RateLimitRuleModel): RuleLimiters {
    const limiters = this.limiters.get(rule.name);
    if (limiters === undefined) throw new Error(`no limiter for rate limit rule "${rule.name}"`);
    return limiters;
  }
}
