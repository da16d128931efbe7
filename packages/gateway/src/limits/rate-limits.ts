/**
 * The rate-limit counters: one fixed-window limiter per rule (rate-limiter-flexible), counting in
 * this process's memory, or in Redis when `rateLimits.redis` is set so that every replica draws
 * from the same buckets.
 *
 * A Redis that is down, unreachable or slow never fails or stalls a call: commands are not queued
 * while disconnected and time out after `redis.timeoutMs`, and each Redis limiter has an
 * in-memory insurance limiter that counts instead. During an outage every replica enforces the
 * limits on its own (so the fleet as a whole may allow up to replicas × limit); the gateway logs
 * a warning when it falls back and a line when Redis is back.
 */
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateLimitRuleModel, RateLimitsModel } from '../config/model-limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { Bucket } from './buckets.ts';

/** Why a request was refused: the full bucket whose window ends last. */
export interface Refusal {
  rule: RateLimitRuleModel;
  retryAfterSeconds: number;
}

/** Tracks whether the limiters currently count in Redis, to log each change of state once. */
class RedisState {
  private degraded = false;
  private readonly log: Logger;
  constructor(log: Logger) {
    this.log = log;
  }
  fellBack(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn(
      { reason },
      'rate limits: Redis unavailable; counting in this replica only until it is back',
    );
  }
  recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.log.info('rate limits: Redis is back; limits are shared again');
  }
}

/** The in-memory stand-in for a Redis limiter; using it means Redis just failed a command. */
class InsuranceLimiter extends RateLimiterMemory {
  private readonly state: RedisState;
  constructor(opts: ConstructorParameters<typeof RateLimiterMemory>[0], state: RedisState) {
    super(opts);
    this.state = state;
  }
  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.state.fellBack('a Redis command failed or timed out');
    return super.consume(...args);
  }
}

/**
 * ioredis, loaded only when a rate limit is shared through Redis: a gateway that counts in
 * memory does not carry the client (a few MB of resident memory) for nothing.
 */
function loadRedis(): typeof import('ioredis').Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

export class RateLimits {
  readonly rules: readonly RateLimitRuleModel[];
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly redis: RedisClient | null;

  /** The limiter for a model, or null when it has no rules (nothing to count, no Redis). */
  static create(model: RateLimitsModel, log: Logger): RateLimits | null {
    return model.rules.length === 0 ? null : new RateLimits(model, log);
  }

  constructor(model: RateLimitsModel, log: Logger) {
    this.rules = model.rules;
    const redisModel = model.redis;
    const state = new RedisState(log);
    this.redis =
      redisModel === null
        ? null
        : new (loadRedis())(redisModel.url, {
            // Fail fast instead of queueing while disconnected: the insurance limiter answers.
            enableOfflineQueue: false,
            commandTimeout: redisModel.timeoutMs,
            connectTimeout: Math.max(redisModel.timeoutMs, 1000),
            maxRetriesPerRequest: 0,
            retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
          });
    this.redis?.on('error', (error: Error) => state.fellBack(error.message));
    this.redis?.on('ready', () => state.recovered());
    for (const rule of model.rules) {
      const options = { points: rule.limit, duration: rule.windowSec };
      const limiter =
        this.redis === null || redisModel === null
          ? new RateLimiterMemory({ ...options, keyPrefix: rule.name })
          : new RateLimiterRedis({
              ...options,
              storeClient: this.redis,
              keyPrefix: `${redisModel.prefix}:ratelimit:${rule.name}`,
              rejectIfRedisNotReady: true,
              insuranceLimiter: new InsuranceLimiter({ ...options, keyPrefix: rule.name }, state),
            });
      this.limiters.set(rule.name, limiter);
    }
  }

  /**
   * Takes one request from every bucket. If any bucket is full the request is refused: the
   * buckets that had room get their request back (a refused call costs no quota) and the refusal
   * names the bucket that stays full the longest.
   */
  async consume(buckets: readonly Bucket[]): Promise<Refusal | null> {
    const outcomes = await Promise.allSettled(buckets.map((b) => this.limiter(b.rule).consume(b.key)));
    let refusal: Refusal | null = null;
    let unexpected: unknown;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      if (!(outcome.reason instanceof RateLimiterRes)) {
        unexpected ??= outcome.reason;
        continue;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.reason.msBeforeNext / 1000));
      if (refusal === null || retryAfterSeconds > refusal.retryAfterSeconds) {
        refusal = { rule: (buckets[i] as Bucket).rule, retryAfterSeconds };
      }
    }
    if (refusal === null && unexpected === undefined) return null;
    await Promise.allSettled(
      buckets.map((b, i) =>
        outcomes[i]?.status === 'fulfilled' ? this.limiter(b.rule).reward(b.key) : undefined,
      ),
    );
    if (unexpected !== undefined) throw unexpected;
    return refusal;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    if (redis === null) return;
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }

  private limiter(rule: RateLimitRuleModel): RateLimiterAbstract {
    const limiter = this.limiters.get(rule.name);
    if (limiter === undefined) throw new Error(`no limiter for rate limit rule "${rule.name}"`);
    return limiter;
  }
}
