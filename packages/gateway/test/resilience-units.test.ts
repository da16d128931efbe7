/**
 * The resilience policies on their own (no upstream process): retries only for repeatable calls
 * and only for upstream faults, both breaker modes, the attempt timeout and the deadline, caller
 * cancellation, the bulkhead; and the pure pieces around them (reload planning, the isError
 * answer for models).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { upstreamResilience } from '../src/config/normalize-resilience.ts';
import { wireError } from '../src/errors/wire.ts';
import { planUpstreams, restartOnlyChanges } from '../src/lifecycle/reload-plan.ts';
import { ERROR_META_KEY, toolErrorResult } from '../src/stages/answer-for-model.ts';
import { type BreakerState, isUpstreamFault, UpstreamResilience } from '../src/upstream/resilience.ts';
import { fixtureUpstreamYaml, modelFromYaml } from './helpers/harness.ts';

interface Seen {
  retries: number;
  states: BreakerState[];
  timeouts: string[];
  rejected: number;
}

function policies(
  yaml: Parameters<typeof upstreamResilience>[1],
  limits = { timeoutMs: 200, maxInFlight: 4 },
) {
  const seen: Seen = { retries: 0, states: [], timeouts: [], rejected: 0 };
  const model = upstreamResilience(undefined, yaml, limits);
  const resilience = new UpstreamResilience('up', model, {
    breaker: (s) => seen.states.push(s),
    retry: () => seen.retries++,
    timeout: (kind) => seen.timeouts.push(kind),
    rejected: () => seen.rejected++,
  });
  return { resilience, seen };
}

const closed = () => new SdkError(SdkErrorCode.ConnectionClosed, 'connection closed');
const fast = { retry: { initialDelayMs: 1, maxDelayMs: 2 } };

async function failure(
  promise: Promise<unknown>,
): Promise<{ code?: number; data?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: number; data?: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('resilience policies', () => {
  it('retries an upstream fault for a repeatable call, up to maxAttempts in all', async () => {
    const { resilience, seen } = policies({ ...fast, retry: { ...fast.retry, maxAttempts: 3 } });
    let calls = 0;
    const result = await resilience.run(
      async () => {
        if (++calls < 3) throw closed();
        return 'ok';
      },
      { retryable: true },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.equal(seen.retries, 2);
    calls = 0;
    await failure(
      resilience.run(async () => Promise.reject(closed()).finally(() => calls++), { retryable: true }),
    );
    assert.equal(calls, 3, 'gives up after 3 attempts');
  });

  it('never retries a side-effecting call, nor a caller mistake', async () => {
    const { resilience, seen } = policies(fast);
    let calls = 0;
    const error = await failure(
      resilience.run(async () => Promise.reject(closed()).finally(() => calls++), { retryable: false }),
    );
    assert.ok(error instanceof SdkError, 'the fault itself comes back, for the relay to explain');
    assert.equal(calls, 1);
    const invalid = await failure(
      resilience.run(async () => Promise.reject(wireError('InvalidParams', 'bad')).finally(() => calls++), {
        retryable: true,
      }),
    );
    assert.equal(invalid.code, -32602);
    assert.equal(calls, 2, 'an invalid-params answer is not retried');
    assert.equal(seen.retries, 0);
  });

  it('classifies faults: transport failures and server errors count, request errors do not', () => {
    assert.equal(isUpstreamFault(closed()), true);
    assert.equal(isUpstreamFault(new Error('fetch failed')), true);
    assert.equal(isUpstreamFault(wireError('InternalError', 'x')), true);
    assert.equal(isUpstreamFault(wireError('UpstreamTimeout', 'x')), true);
    assert.equal(isUpstreamFault(wireError('InvalidParams', 'x')), false);
    assert.equal(isUpstreamFault(wireError('PolicyDenied', 'x')), false);
    assert.equal(isUpstreamFault(wireError('RateLimited', 'x')), false);
    // A suspended call that expired is the caller's late answer, not a failing upstream.
    assert.equal(isUpstreamFault(wireError('InputRequestExpired', 'x')), false);
    // An upstream's own code (2025-era "resource not found") is an answer, not a fault.
    assert.equal(isUpstreamFault(new ProtocolError(-32002, 'Resource not found')), false);
  });

  it('never opens on correct protocol answers, however many', async () => {
    const { resilience } = policies({
      breaker: { failures: 2, halfOpenAfterMs: 60_000 },
      retry: { maxAttempts: 1 },
    });
    for (const code of [-32602, -32601, -32002, -32602, -32601, -32002]) {
      await failure(
        resilience.run(async () => Promise.reject(new ProtocolError(code, 'no')), { retryable: false }),
      );
    }
    assert.equal(resilience.breakerState, 'closed');
  });

  it('opens after consecutive failures, fails fast with a retry-after, and closes after a good trial', async () => {
    const { resilience, seen } = policies({
      breaker: { failures: 3, halfOpenAfterMs: 100 },
      retry: { maxAttempts: 1 },
    });
    for (let i = 0; i < 3; i++)
      await failure(resilience.run(async () => Promise.reject(closed()), { retryable: false }));
    assert.equal(resilience.breakerState, 'open');
    let called = false;
    const open = await failure(
      resilience.run(
        async () => {
          called = true;
        },
        { retryable: false },
      ),
    );
    assert.equal(called, false, 'the upstream is not called while open');
    assert.equal(open.code, -32059);
    assert.equal(open.data?.reason, 'circuit_open');
    assert.equal(open.data?.retryAfterSeconds, 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await resilience.run(async () => 'ok', { retryable: false }), 'ok');
    assert.equal(resilience.breakerState, 'closed');
    assert.deepEqual(seen.states, ['open', 'half-open', 'closed']);
  });

  it('ratio mode opens when more than the ratio of the window failed', async () => {
    const { resilience } = policies({
      breaker: { mode: 'ratio', ratio: 0.5, window: 4, minimumCalls: 4, halfOpenAfterMs: 60_000 },
      retry: { maxAttempts: 1 },
    });
    const ok = () => resilience.run(async () => 'ok', { retryable: false });
    const bad = () => failure(resilience.run(async () => Promise.reject(closed()), { retryable: false }));
    await ok();
    await bad();
    await bad();
    assert.equal(resilience.breakerState, 'closed', 'below the minimum number of calls');
    await bad();
    assert.equal(resilience.breakerState, 'open', '3 of the last 4 failed: more than half');
  });

  it('times out a slow attempt (aborting its signal) and bounds the whole call by the deadline', async () => {
    const { resilience, seen } = policies({ retry: { maxAttempts: 1 } }, { timeoutMs: 50, maxInFlight: 4 });
    let aborted = false;
    const slow = await failure(
      resilience.run(
        (signal) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
        { retryable: false },
      ),
    );
    assert.equal(slow.code, -32051);
    assert.equal(slow.data?.reason, 'timeout');
    assert.equal(aborted, true, 'the request is cancelled upstream');
    const deadline = policies(
      { deadlineMs: 60, ...fast, retry: { ...fast.retry, maxAttempts: 10 } },
      { timeoutMs: 40, maxInFlight: 4 },
    );
    const late = await failure(deadline.resilience.run(() => new Promise(() => {}), { retryable: true }));
    assert.equal(late.code, -32051);
    assert.equal(late.data?.reason, 'deadline');
    assert.ok(seen.timeouts.includes('attempt'));
  });

  it('turns a caller cancellation into Cancelled without counting it against the upstream', async () => {
    const { resilience } = policies({ breaker: { failures: 1 } });
    const controller = new AbortController();
    const pending = resilience.run(
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      {
        retryable: true,
        signal: controller.signal,
      },
    );
    controller.abort();
    const cancelled = await failure(pending);
    assert.equal(cancelled.code, -32060);
    assert.equal(resilience.breakerState, 'closed');
  });

  it('runs maxInFlight calls, queues `queue` more and refuses the rest', async () => {
    const { resilience, seen } = policies({ queue: 1 }, { timeoutMs: 5000, maxInFlight: 1 });
    const gates: (() => void)[] = [];
    const held = () =>
      resilience.run(() => new Promise<string>((resolve) => gates.push(() => resolve('done'))), {
        retryable: false,
      });
    const first = held();
    const second = held();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(resilience.load, { active: 1, queued: 1 });
    const third = await failure(held());
    assert.equal(third.code, -32052);
    assert.equal(seen.rejected, 1);
    gates.shift()?.();
    assert.equal(await first, 'done');
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    assert.equal(await second, 'done');
  });
});

describe('answer for the model', () => {
  it('explains an upstream failure as an isError result, and leaves other errors alone', () => {
    const result = toolErrorResult(
      wireError('CircuitOpen', 'upstream "crm" is failing; retry after 7 s', {
        upstream: 'crm',
        retryAfterSeconds: 7,
      }),
    );
    assert.deepEqual(result, {
      content: [{ type: 'text', text: 'Gatehouse: upstream "crm" is failing; retry after 7 s.' }],
      isError: true,
      _meta: { [ERROR_META_KEY]: { code: -32059, upstream: 'crm', retryAfterSeconds: 7 } },
    });
    assert.equal(toolErrorResult(wireError('PolicyDenied', 'no')), undefined);
    assert.equal(toolErrorResult(new Error('bug')), undefined);
  });
});

describe('reload planning', () => {
  const base = (extra = '') =>
    modelFromYaml(`upstreams:\n${fixtureUpstreamYaml('a')}${fixtureUpstreamYaml('b')}${extra}`);

  it('keeps unchanged upstreams, replaces changed ones, starts new ones and retires removed ones', () => {
    const running = base();
    const offered = modelFromYaml(
      `upstreams:\n${fixtureUpstreamYaml('a')}${fixtureUpstreamYaml('b', { X: '1' })}${fixtureUpstreamYaml('c')}`,
    );
    const plan = planUpstreams(running.upstreams, offered.upstreams);
    assert.deepEqual(plan.keep, ['a']);
    assert.deepEqual(
      plan.start.map((u) => u.name),
      ['b', 'c'],
    );
    assert.deepEqual(plan.retire, ['b']);
    assert.deepEqual(planUpstreams(running.upstreams, [running.upstreams[0] as never]).retire, ['b']);
  });

  it('names the settings that need a restart', () => {
    const running = base();
    assert.deepEqual(restartOnlyChanges(running, base()), []);
    const moved = base();
    moved.server.port = 9999;
    moved.auth = { ...moved.auth, apiKeys: !moved.auth.apiKeys };
    assert.deepEqual(restartOnlyChanges(running, moved), ['server.port', 'auth']);
    const policy = base('policy:\n  roles: {}\n');
    assert.deepEqual(restartOnlyChanges(running, policy), [], 'policy reloads live');
  });
});
