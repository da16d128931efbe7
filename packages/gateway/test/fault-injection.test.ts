/**
 * Fault injection with real upstream processes (test/fixtures/fault-server.ts, over stdio and as
 * an HTTP server): crashes, hangs, slow answers, induced errors, garbage on stdout, flapping, a
 * full bulkhead, an HTTP upstream that is down, and a caller that gives up. In every scenario the
 * gateway stays up (a healthy neighbour keeps answering), the caller gets an actionable answer,
 * the breaker opens and recovers where it should, and the audit log holds every call issued.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import {
  auditedOutcomes,
  CallLedger,
  counterOf,
  expectActionable,
  faultUpstreamYaml,
  type HttpFaultServer,
  listedTools,
  ModeFile,
  readinessBreaker,
  readyzBreaker,
  sleep,
  startHttpFaultServer,
  tempDir,
  upstreamOf,
} from './helpers/faults.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
  toolFailure,
  waitFor,
} from './helpers/harness.ts';

const UNAVAILABLE = -32050;
const TIMEOUT = -32051;
const OVERLOADED = -32052;
const CIRCUIT_OPEN = -32059;
const HALF_OPEN_MS = 1500;

const dir = tempDir();
const storage = join(dir, 'gatehouse.db');
const modes = {
  evicty: new ModeFile(dir, 'evicty'),
  flappy: new ModeFile(dir, 'flappy'),
  ratio: new ModeFile(dir, 'ratio'),
  remote: new ModeFile(dir, 'remote'),
};

function gatewayYaml(remoteUrl: string): string {
  const noRetry = 'retry: { maxAttempts: 1 }';
  return `upstreams:
${fixtureUpstreamYaml('steady')}
${faultUpstreamYaml('crashy')}
${faultUpstreamYaml('garbled', '    timeoutMs: 500\n')}
${faultUpstreamYaml('hung', '    timeoutMs: 500\n')}
${faultUpstreamYaml(
  'evicty',
  `    resilience: { health: { intervalMs: 150, timeoutMs: 400, evictAfter: 2 } }
    restart: { initialDelayMs: 1500, maxDelayMs: 3000 }
`,
  modes.evicty,
)}
${faultUpstreamYaml(
  'retrier',
  `    timeoutMs: 600
    resilience: { retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }, breaker: { mode: off } }
`,
)}
${faultUpstreamYaml(
  'flappy',
  `    resilience: { ${noRetry}, breaker: { failures: 3, halfOpenAfterMs: ${HALF_OPEN_MS} } }\n`,
  modes.flappy,
)}
${faultUpstreamYaml(
  'ratio',
  `    resilience: { ${noRetry}, breaker: { mode: ratio, ratio: 0.5, window: 4, minimumCalls: 4, halfOpenAfterMs: ${HALF_OPEN_MS} } }\n`,
  modes.ratio,
)}
${faultUpstreamYaml('narrow', '    timeoutMs: 10000\n    maxInFlight: 1\n    resilience: { queue: 1 }\n')}
  - name: remote
    transport: http
    url: ${JSON.stringify(remoteUrl)}
    timeoutMs: 1000
    resilience: { retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 } }
resilience: { health: { intervalMs: 0 } }
storage: { path: ${JSON.stringify(storage)} }
`;
}

describe('fault injection with real upstream processes', () => {
  let gw: TestGateway;
  let remote: HttpFaultServer | undefined;
  let client: Client;
  let modern: Client;
  const ledger = new CallLedger();
  const toolsChanged = { count: 0 };

  before(async () => {
    remote = await startHttpFaultServer('remote', modes.remote);
    gw = await startGateway(gatewayYaml(remote.url));
    for (const u of gw.gateway.upstreams) assert.equal(u.state, 'ready', `${u.name}: ${u.lastError}`);
    client = await connectClient(gw.url, 'legacy', (c) =>
      c.setNotificationHandler('notifications/tools/list_changed', () => {
        toolsChanged.count++;
      }),
    );
    modern = await connectClient(gw.url, 'modern');
  });

  after(async () => {
    await client?.close().catch(() => {});
    await modern?.close().catch(() => {});
    await gw?.close();
    await remote?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The healthy neighbour answers, correctly. */
  async function neighbourServes(what: string): Promise<void> {
    assert.equal(await ledger.text(client, 'steady_echo', { message: what }), `steady: ${what}`);
  }

  it('killed mid-call: -32050 for the caller, then the upstream restarts and serves again', async () => {
    const crashy = upstreamOf(gw, 'crashy');
    const pid = await ledger.text(client, 'crashy_pid');
    assert.equal(pid, String(crashy.pid));

    const failure = await expectActionable(ledger.call(client, 'crashy_crash'), UNAVAILABLE, 'crashy');
    assert.match(failure.text, /crashy/);
    await neighbourServes('while crashy restarts');

    await waitFor(() => crashy.state === 'ready' && crashy.pid !== null && String(crashy.pid) !== pid);
    const newPid = await ledger.text(client, 'crashy_pid');
    assert.notEqual(newPid, pid, 'a new process');
    assert.equal(newPid, String(crashy.pid));
    assert.equal(await ledger.text(client, 'crashy_echo', { text: 'back' }), 'crashy: back');
    assert.ok((await counterOf(gw, 'restarts', 'crashy')) >= 1, 'the restart is counted');
    await neighbourServes('after the crash');
    await ledger.assertAudited(storage, 'crashy_');
  });

  it('hung: -32051 after timeoutMs, the upstream is told to cancel, and the call is not retried', async () => {
    const retries = await counterOf(gw, 'retries', 'hung');
    const pending = expectActionable(ledger.call(client, 'hung_hang'), TIMEOUT, 'hung');
    await neighbourServes('during a hang');
    const failure = await pending;
    assert.equal(failure.data.reason, 'timeout');
    assert.match(failure.text, /within 500 ms/);
    await neighbourServes('after a hang');

    // notifications/cancelled reached the upstream — once: hang is side-effecting, one attempt.
    await waitFor(
      async () => (await ledger.number(client, 'hung_cancelled')) >= 1,
      5_000,
      'hung told to cancel',
    );
    await sleep(300);
    assert.equal(await ledger.number(client, 'hung_cancelled'), 1, 'exactly one attempt was sent');
    assert.equal(await counterOf(gw, 'retries', 'hung'), retries, 'no retry of a side-effecting tool');
    assert.equal(upstreamOf(gw, 'hung').state, 'ready');
    await ledger.assertAudited(storage, 'hung_');
  });

  it('hang mode: failed health probes evict the upstream; back to ok re-admits it', async () => {
    const evicty = upstreamOf(gw, 'evicty');
    assert.ok((await listedTools(client)).names.includes('evicty_echo'));
    const before = toolsChanged.count;
    modes.evicty.set('hang');

    let out = { names: [] as string[], unavailable: [] as string[] };
    await waitFor(
      async () => {
        out = await listedTools(client);
        return !out.names.includes('evicty_echo') && out.unavailable.includes('evicty');
      },
      15_000,
      'evicty out of tools/list',
    );
    assert.ok(out.names.includes('steady_echo'), 'the neighbour stays listed');
    assert.ok(toolsChanged.count > before, 'list_changed reached the client on eviction');
    assert.ok((await counterOf(gw, 'evictions', 'evicty')) >= 1);
    await neighbourServes('while evicty is out');
    // Its tools are out of the list, but a caller who saw them is told it is unavailable, not unknown.
    const outage = await toolFailure(ledger.call(client, 'evicty_echo', { text: 'while out' }));
    assert.equal(outage.isError, true);
    assert.equal(outage.code, -32050);
    assert.match(outage.message ?? '', /evicty/);

    const evicted = toolsChanged.count;
    modes.evicty.set('ok');
    await waitFor(
      async () => {
        out = await listedTools(client);
        return evicty.state === 'ready' && out.names.includes('evicty_echo') && out.unavailable.length === 0;
      },
      15_000,
      'evicty back in tools/list',
    );
    await waitFor(() => toolsChanged.count > evicted, 5_000, 'list_changed on re-admission');
    await sleep(600); // several probe intervals: it stays in
    assert.equal(evicty.state, 'ready');
    assert.equal(await ledger.text(client, 'evicty_echo', { text: 'back' }), 'evicty: back');
    await neighbourServes('after evicty is back');
    await ledger.assertAudited(storage, 'evicty_');
  });

  it('slow: a read-only call is retried up to maxAttempts then fails -32051; a quick one succeeds', async () => {
    const retries = await counterOf(gw, 'retries', 'retrier');
    const cancelled = await ledger.number(client, 'retrier_cancelled');
    const pending = expectActionable(ledger.call(client, 'retrier_slow', { ms: 5000 }), TIMEOUT, 'retrier');
    await neighbourServes('during slow attempts');
    const failure = await pending;
    assert.equal(failure.data.reason, 'timeout');
    assert.equal((await counterOf(gw, 'retries', 'retrier')) - retries, 2, 'maxAttempts 3: two retries');
    // Every timed-out attempt was cancelled upstream.
    await waitFor(async () => (await ledger.number(client, 'retrier_cancelled')) >= cancelled + 3, 5_000);
    assert.equal(await ledger.number(client, 'retrier_cancelled'), cancelled + 3, 'three attempts in all');

    assert.equal(await ledger.text(client, 'retrier_slow', { ms: 20 }), 'retrier: slept 20');
    assert.equal((await counterOf(gw, 'retries', 'retrier')) - retries, 2, 'no retry when it answers');
    await neighbourServes('after slow calls');
    await ledger.assertAudited(storage, 'retrier_slow');
  });

  it('retries only where safe: idempotent fail_times succeeds, side-effecting write_fail is sent once', async () => {
    const retries = await counterOf(gw, 'retries', 'retrier');
    const ok = await ledger.text(client, 'retrier_fail_times', { key: 'ft', failures: 2 });
    assert.equal(ok, 'ok after 3 attempts');
    assert.equal((await counterOf(gw, 'retries', 'retrier')) - retries, 2);

    // The upstream's own JSON-RPC error passes through (it is not the gateway's to explain).
    const failure = await toolFailure(ledger.call(client, 'retrier_write_fail', { key: 'wf' }));
    assert.equal(failure.code, -32603);
    assert.match(String(failure.message), /induced failure/);
    assert.doesNotMatch(String(failure.message), /\n\s+at /, 'no stack trace');
    assert.equal((await counterOf(gw, 'retries', 'retrier')) - retries, 2, 'write_fail was not retried');
    assert.equal(await ledger.text(client, 'retrier_calls', { key: 'wf' }), '1');
    assert.equal(await ledger.text(client, 'retrier_calls', { key: 'ft' }), '3');
    await neighbourServes('after retries');
    await ledger.assertAudited(storage, 'retrier_');
  });

  it('malformed JSON-RPC on stdout: the call times out, the connection survives the garbage', async () => {
    const garbled = upstreamOf(gw, 'garbled');
    const pid = garbled.pid;
    const pending = expectActionable(ledger.call(client, 'garbled_malformed'), TIMEOUT, 'garbled');
    await neighbourServes('while garbled writes garbage');
    const failure = await pending;
    assert.match(failure.text, /garbled/);
    assert.equal(await ledger.text(client, 'garbled_echo', { text: 'still here' }), 'garbled: still here');
    assert.equal(await ledger.text(modern, 'garbled_echo', { text: 'modern' }), 'garbled: modern');
    assert.equal(garbled.state, 'ready');
    assert.equal(garbled.pid, pid, 'same process');
    assert.equal(garbled.restarts, 0, 'never restarted');
    await neighbourServes('after garbage');
    await ledger.assertAudited(storage, 'garbled_');
  });

  /**
   * Drives one breaker through its cycle: `failing` calls in error mode open it; while open,
   * calls are refused (CircuitOpen) without reaching the upstream; after halfOpenAfterMs with
   * the mode back to ok, the trial call succeeds and closes it. Returns the upstream's count.
   */
  async function openAndRecover(name: 'flappy' | 'ratio', failing: number): Promise<string> {
    const key = { key: name, failures: 0 };
    modes[name].set('error');
    for (let i = 0; i < failing; i++) {
      const failure = await toolFailure(ledger.call(client, `${name}_fail_times`, key));
      assert.equal(failure.code, -32603, `failure ${i + 1} is the upstream's own error`);
    }
    assert.equal(readinessBreaker(gw, name), 'open');
    assert.equal(await readyzBreaker(gw, name), 'open', '/readyz shows it open');
    for (let i = 0; i < 2; i++) {
      const open = await expectActionable(ledger.call(client, `${name}_fail_times`, key), CIRCUIT_OPEN, name);
      assert.equal(open.data.reason, 'circuit_open');
      const after = Number(open.data.retryAfterSeconds);
      assert.ok(after >= 1 && after <= Math.ceil(HALF_OPEN_MS / 1000), `retryAfterSeconds ${after}`);
      await neighbourServes(`while ${name} is open`);
    }
    modes[name].set('ok');
    await sleep(HALF_OPEN_MS);
    let seen: string | undefined;
    await waitFor(async () => {
      const result = await ledger.call(client, `${name}_calls`, { key: name });
      if (result.isError === true) {
        // Still open (a slow machine): try again shortly.
        const meta = result._meta as Record<string, { code?: number }> | undefined;
        assert.equal(meta?.['dev.gatehouse/error']?.code, CIRCUIT_OPEN);
        return false;
      }
      seen = textOf(result);
      return true;
    });
    assert.equal(readinessBreaker(gw, name), 'closed', 'the trial call closed it');
    assert.equal(await readyzBreaker(gw, name), 'closed');
    const next = `ok after ${Number(seen) + 1} attempts`;
    assert.equal(await ledger.text(client, `${name}_fail_times`, key), next, 'closed: calls go through');
    return String(seen);
  }

  it('flapping (consecutive breaker): opens after 3 failures, refuses without calling, recovers', async () => {
    assert.equal(
      await ledger.text(client, 'flappy_fail_times', { key: 'flappy', failures: 0 }),
      'ok after 1 attempts',
    );
    const seen = await openAndRecover('flappy', 3);
    assert.equal(seen, '4', 'the upstream saw 1 + 3 calls: none while the breaker was open');
    await ledger.assertAudited(storage, 'flappy_');
  });

  it('flapping (ratio breaker 0.5 over 4): opens once more than half the window failed, recovers', async () => {
    for (let i = 0; i < 2; i++) await ledger.text(client, 'ratio_fail_times', { key: 'ratio', failures: 0 });
    modes.ratio.set('error');
    for (let i = 0; i < 2; i++) {
      const failure = await toolFailure(
        ledger.call(client, 'ratio_fail_times', { key: 'ratio', failures: 0 }),
      );
      assert.equal(failure.code, -32603);
    }
    assert.equal(readinessBreaker(gw, 'ratio'), 'closed', '2 of 4 failed: not more than half');
    const seen = await openAndRecover('ratio', 1);
    assert.equal(seen, '5', 'the upstream saw 2 + 3 calls: none while the breaker was open');
    await ledger.assertAudited(storage, 'ratio_');
  });

  it('bulkhead: maxInFlight 1 + queue 1 refuses a third call with -32052; the neighbour is unaffected', async () => {
    const narrow = upstreamOf(gw, 'narrow');
    const first = ledger.call(client, 'narrow_slow', { ms: 2500, text: 'first' });
    await waitFor(() => narrow.resilience.load.active === 1, 5_000, 'the first call running');
    const second = ledger.call(client, 'narrow_slow', { ms: 10, text: 'second' });
    await waitFor(() => narrow.resilience.load.queued === 1, 5_000, 'the second call queued');
    const rejections = await counterOf(gw, 'rejections', 'narrow');

    const failure = await expectActionable(
      ledger.call(client, 'narrow_slow', { ms: 10, text: 'third' }),
      OVERLOADED,
      'narrow',
    );
    assert.equal(failure.data.retryAfterSeconds, 1);
    assert.equal((await counterOf(gw, 'rejections', 'narrow')) - rejections, 1);
    await neighbourServes('while narrow is full');
    assert.equal(textOf(await first), 'narrow: first');
    assert.equal(textOf(await second), 'narrow: second');
    await ledger.assertAudited(storage, 'narrow_slow');
  });

  it('HTTP upstream down (503): an actionable error, and calls succeed once it is back', async () => {
    assert.equal(await ledger.text(client, 'remote_echo', { text: 'up' }), 'remote: up');
    modes.remote.set('down');
    for (const c of [client, modern]) {
      const failure = await expectActionable(
        ledger.call(c, 'remote_echo', { text: 'x' }),
        UNAVAILABLE,
        'remote',
      );
      assert.match(failure.text, /HTTP 503/);
      assert.doesNotMatch(failure.text, /remote: down/, "the upstream's error body is not passed on");
      assert.equal(failure.data.httpStatus, 503);
      await neighbourServes('while remote is down');
    }
    modes.remote.set('ok');
    assert.equal(await ledger.text(client, 'remote_echo', { text: 'back' }), 'remote: back');
    assert.equal(await ledger.text(modern, 'remote_echo', { text: 'back' }), 'remote: back');
    assert.equal(readinessBreaker(gw, 'remote'), 'closed');
    await ledger.assertAudited(storage, 'remote_');
  });

  it('a caller that aborts a hung call: the upstream is told to cancel, and the call is audited', async () => {
    const narrow = upstreamOf(gw, 'narrow');
    for (const c of [client, modern]) {
      const cancelled = await ledger.number(c, 'narrow_cancelled');
      const abort = new AbortController();
      const call = ledger.call(c, 'narrow_hang', {}, { signal: abort.signal });
      await waitFor(() => narrow.resilience.load.active === 1, 5_000, 'the hang call running');
      await sleep(200); // let the request reach the upstream
      abort.abort();
      await assert.rejects(call);
      await waitFor(
        async () => (await ledger.number(c, 'narrow_cancelled')) > cancelled,
        10_000,
        'upstream cancelled',
      );
      await neighbourServes('after a cancelled call');
    }
    await ledger.assertAudited(storage, 'narrow_');
    const outcomes = await auditedOutcomes(storage, 'narrow_hang');
    assert.deepEqual(outcomes, ['error -32060', 'error -32060'], 'recorded as cancelled');
  });

  it('the audit log holds every call issued, the neighbour’s included', async () => {
    for (const prefix of new Set([...ledger.issued.keys()].map((t) => t.split('_')[0] ?? t))) {
      await ledger.assertAudited(storage, `${prefix}_`);
    }
    assert.ok(gw.gateway.upstreams.every((u) => u.state === 'ready'));
  });
});
