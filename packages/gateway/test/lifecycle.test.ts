/**
 * Process lifecycle through the real CLI (`gatehouse serve` as a child process): SIGTERM under
 * load drains (every accepted call answered, late ones refused with 503, calls past the drain
 * deadline cancelled, upstream processes reaped, exit 0, every answered call audited on an intact
 * chain); SIGKILL under load loses no acknowledged call from the audit log and the gateway comes
 * back on the same storage; and readiness (/readyz) follows draining and required upstreams.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  type CallOutcome,
  callOutcome,
  configDir,
  faultUpstreamYaml,
  gatehouseCli,
  killLeftoverGateways,
  killPids,
  processGone,
  readyz,
  startChildGateway,
} from './helpers/child-gateway.ts';
import {
  type ClientEra,
  connectClient,
  OPEN_ACCESS_YAML,
  startGateway,
  textOf,
  waitFor,
} from './helpers/harness.ts';

const ERAS: ClientEra[] = ['legacy', 'modern', 'legacy', 'modern'];
/** Upstream processes seen by the tests, killed in `after` should a test fail half-way. */
const upstreamPids = new Set<number>();

after(() => {
  killLeftoverGateways();
  killPids(upstreamPids);
});

function gatewayYaml(storage: string, drainTimeoutMs: number, upstreams: string): string {
  return `server: { host: 127.0.0.1, drainTimeoutMs: ${drainTimeoutMs} }
logging: { level: info }
storage: { path: ${JSON.stringify(storage)} }
upstreams:
${upstreams}
${OPEN_ACCESS_YAML}`;
}

async function waitReady(url: string): Promise<void> {
  await waitFor(async () => (await readyz(url).catch(() => undefined))?.status === 200, 30_000, 'ready');
}

async function connectAll(url: string): Promise<Client[]> {
  return Promise.all(ERAS.map((era) => connectClient(url, era)));
}

async function pidOf(client: Client, upstream: string): Promise<number> {
  const pid = Number(textOf(await client.callTool({ name: `${upstream}_pid`, arguments: {} })));
  assert.ok(Number.isInteger(pid) && pid > 0, `${upstream} pid`);
  upstreamPids.add(pid);
  return pid;
}

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return Number(/^gatehouse_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0);
}

/** `arguments.text` of every tools/call record in the SQLite audit log. */
async function auditedTexts(storage: string): Promise<Map<string, string>> {
  const store = await openCommittedAudit(storage);
  try {
    const records = await store.query({ method: 'tools/call', limit: 10_000 });
    const texts = new Map<string, string>();
    for (const r of records) {
      const text = (r.arguments as { text?: unknown } | null)?.text;
      if (typeof text === 'string') texts.set(text, r.status);
    }
    return texts;
  } finally {
    await store.close();
  }
}

/** Answered calls are audited with their outcome; refused ones (never accepted) are not. */
async function assertAudited(
  storage: string,
  answered: [string, CallOutcome][],
  refused: [string, CallOutcome][],
): Promise<void> {
  const audited = await auditedTexts(storage);
  for (const [text, o] of answered) {
    const status = audited.get(text);
    assert.ok(status !== undefined, `${text} audited`);
    assert.equal(status, o.kind === 'result' && !o.isError ? 'ok' : 'error', text);
  }
  for (const [text] of refused) assert.equal(audited.has(text), false, `${text} was never accepted`);
}

function describeOutcomes(outcomes: Map<string, CallOutcome>): string {
  return JSON.stringify([...outcomes].filter(([, o]) => o.kind === 'lost').slice(0, 5));
}

describe('SIGTERM under load', () => {
  it('answers every accepted call, refuses late ones, cancels at the deadline, reaps, audits, exits 0', async (t) => {
    const cfg = configDir();
    // The drain window (4 s) leaves ample time to probe it while the long calls hold it open.
    cfg.write(gatewayYaml(cfg.storage, 4000, `${faultUpstreamYaml('f')}\n${faultUpstreamYaml('g')}`));
    const gw = await startChildGateway(cfg.file);
    await waitReady(gw.url);
    const clients = await connectAll(gw.url);
    const pids = [await pidOf(clients[0] as Client, 'f'), await pidOf(clients[1] as Client, 'g')];

    const outcomes = new Map<string, CallOutcome>();
    // SIGTERM goes out the moment the 12th short call is answered, with the others in flight.
    let shortDone = 0;
    let terminated = false;
    const track = (text: string, call: Promise<CallOutcome>) =>
      call.then((o) => {
        outcomes.set(text, o);
        if (text.startsWith('call-') && ++shortDone === 12) {
          gw.signal('SIGTERM');
          terminated = true;
        }
        return o;
      });
    // Calls that outlive the drain deadline: cancelled when it passes.
    const LONG = 8;
    const long = Array.from({ length: LONG }, (_, i) =>
      track(
        `long-${i}`,
        callOutcome(clients[i % clients.length] as Client, `${i % 2 ? 'g' : 'f'}_slow`, {
          ms: 120_000,
          text: `long-${i}`,
        }),
      ),
    );
    await waitFor(async () => (await inFlight(gw.url)) >= LONG, 20_000, 'the long calls in flight');

    // Short calls (fast echoes and 300 ms sleeps) from eight workers, until refused.
    const SHORT = 40;
    let next = 0;
    const worker = async (client: Client) => {
      while (next < SHORT) {
        const i = next++;
        const text = `call-${i}`;
        const tool = `${i % 2 ? 'g' : 'f'}_${i % 3 === 0 ? 'slow' : 'echo'}`;
        const o = await track(text, callOutcome(client, tool, i % 3 === 0 ? { ms: 300, text } : { text }));
        if (o.kind === 'refused' || o.kind === 'lost') return;
      }
    };
    const workers = clients.flatMap((c) => [worker(c), worker(c)]);
    await waitFor(() => terminated, 30_000, 'SIGTERM sent');

    // While draining: not ready, and new requests (both eras) are refused before acceptance.
    await waitFor(async () => (await readyz(gw.url)).body.draining, 10_000, '/readyz draining');
    const late = await Promise.all(
      clients.map((c, i) => track(`late-${i}`, callOutcome(c, 'f_echo', { text: `late-${i}` }))),
    );
    for (const o of late) assert.equal(o.kind, 'refused', JSON.stringify(o));

    await Promise.all([...long, ...workers]);
    const exit = await gw.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, gw.stderr().slice(-3000));

    // Every call has an outcome; none was lost.
    const lost = [...outcomes.values()].filter((o) => o.kind === 'lost');
    assert.equal(lost.length, 0, `calls without an answer: ${describeOutcomes(outcomes)}`);
    for (let i = 0; i < LONG; i++) {
      const o = outcomes.get(`long-${i}`);
      const cancelled = (o?.kind === 'error' && o.code === -32060) || (o?.kind === 'result' && o.isError);
      assert.ok(cancelled, `long-${i} cancelled at the deadline: ${JSON.stringify(o)}`);
    }
    const answered = [...outcomes].filter(([, o]) => o.kind === 'result' || o.kind === 'error');
    const refused = [...outcomes].filter(([, o]) => o.kind === 'refused');
    // Short calls succeed (or, should one outlast the deadline on a very slow machine, are
    // cancelled: still an answer).
    for (const [text, o] of answered) {
      if (!text.startsWith('call-')) continue;
      const ok = (o.kind === 'result' && !o.isError) || (o.kind === 'error' && o.code === -32060);
      assert.ok(ok, `${text}: ${JSON.stringify(o)}`);
    }
    assert.ok(answered.length >= LONG + 12, `answered ${answered.length}`);
    const cancelled = answered.filter(([, o]) => o.kind === 'error').length;
    t.diagnostic(`answered ${answered.length} (${cancelled} cancelled), refused ${refused.length}`);
    assert.ok(refused.length >= clients.length, `refused ${refused.length}`);

    // The upstream processes are gone.
    await waitFor(() => pids.every(processGone), 10_000, 'upstream processes gone');

    // Every answered call is in the audit log, no refused one is, and the chain is intact.
    await assertAudited(cfg.storage, answered, refused);
    const verify = await gatehouseCli(['audit', 'verify', '--config', cfg.file]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /audit chain intact/);
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  });
});

describe('SIGKILL under load', () => {
  it('keeps every acknowledged call in an intact audit log, and serves again after a restart', async (t) => {
    const cfg = configDir();
    cfg.write(gatewayYaml(cfg.storage, 5000, faultUpstreamYaml('f')));
    const gw = await startChildGateway(cfg.file);
    await waitReady(gw.url);
    const clients = await connectAll(gw.url);
    const pid = await pidOf(clients[0] as Client, 'f');

    const acknowledged: string[] = [];
    const failures: string[] = [];
    let next = 0;
    let killed = false;
    const worker = async (client: Client) => {
      while (!killed) {
        const i = next++;
        const text = `kill-${i}`;
        const slow = i % 4 === 0;
        const o = await callOutcome(
          client,
          slow ? 'f_slow' : 'f_echo',
          slow ? { ms: 50, text } : { text },
          20_000,
        );
        if (o.kind === 'result' && !o.isError) acknowledged.push(text);
        else if (!killed) failures.push(`${text}: ${JSON.stringify(o)}`);
      }
    };
    const workers = clients.flatMap((c) => [worker(c), worker(c)]);
    await waitFor(() => acknowledged.length >= 60 || failures.length > 0, 60_000, 'acknowledged calls');
    assert.deepEqual(failures, [], 'no call fails before the kill');
    killed = true;
    gw.signal('SIGKILL');
    assert.deepEqual(await gw.exited, { code: null, signal: 'SIGKILL' });
    // Closing the clients settles calls whose answer died with the process (a 2025-era client
    // would otherwise wait for its request timeout, trying to resume the stream).
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await Promise.all(workers);
    const acked = [...acknowledged];

    killPids([pid]); // the upstream the killed gateway left behind

    const verify = await gatehouseCli(['audit', 'verify', '--config', cfg.file]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const exported = await gatehouseCli(['audit', 'export', '--jsonl', '--config', cfg.file]);
    assert.equal(exported.status, 0, exported.stderr);
    const texts = new Set(
      exported.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { method: string; arguments: { text?: string } | null })
        .filter((r) => r.method === 'tools/call')
        .map((r) => r.arguments?.text)
        .filter((text) => text?.startsWith('kill-')),
    );
    t.diagnostic(`${acked.length} acknowledged before the kill, ${texts.size} of its calls audited`);
    const missing = acked.filter((text) => !texts.has(text));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged calls missing`);

    // Restarted on the same config and storage, it serves and continues the chain.
    const again = await startChildGateway(cfg.file);
    try {
      await waitReady(again.url);
      const client = await connectClient(again.url, 'modern');
      const o = await callOutcome(client, 'f_echo', { text: 'after-restart' });
      assert.deepEqual(o, { kind: 'result', text: 'f: after-restart', isError: false });
      upstreamPids.add(await pidOf(client, 'f'));
      await client.close();
    } finally {
      assert.deepEqual(await again.stop(), { code: 0, signal: null });
    }
    const verifyAgain = await gatehouseCli(['audit', 'verify', '--config', cfg.file]);
    assert.equal(verifyAgain.status, 0, verifyAgain.stdout + verifyAgain.stderr);
    assert.equal((await auditedTexts(cfg.storage)).get('after-restart'), 'ok');
  });
});

describe('readiness', () => {
  it('/readyz is 200 while serving and 503 while draining a call in flight', async () => {
    const cfg = configDir();
    cfg.write(gatewayYaml(cfg.storage, 20_000, faultUpstreamYaml('f')));
    const gw = await startChildGateway(cfg.file);
    await waitReady(gw.url);
    const before = await readyz(gw.url);
    assert.equal(before.status, 200);
    assert.equal(before.body.draining, false);
    const client = await connectClient(gw.url, 'modern');
    upstreamPids.add(await pidOf(client, 'f'));
    const slow = callOutcome(client, 'f_slow', { ms: 3000, text: 'drained' });
    await waitFor(async () => (await inFlight(gw.url)) >= 1, 20_000, 'the slow call in flight');
    gw.signal('SIGTERM');
    await waitFor(async () => (await readyz(gw.url)).status === 503, 10_000, '/readyz 503');
    const during = await readyz(gw.url);
    assert.equal(during.body.draining, true);
    assert.equal(during.body.ready, false);
    // The call in flight still finishes normally (the drain allows 20 s), then the process exits.
    assert.deepEqual(await slow, { kind: 'result', text: 'f: drained', isError: false });
    assert.deepEqual(await gw.exited, { code: 0, signal: null });
    await client.close().catch(() => {});
  });

  it('a required upstream that is down makes /readyz 503; a non-required one does not', async () => {
    for (const required of [true, false]) {
      const gw = await startGateway(`upstreams:
${faultUpstreamYaml('up')}  - name: gone
    transport: http
    url: "http://127.0.0.1:1/mcp"
    required: ${required}
`);
      try {
        const { status, body } = await readyz(gw.url);
        assert.equal(status, required ? 503 : 200, JSON.stringify(body));
        assert.equal(body.checks.upstreams, !required);
        assert.equal(body.ready, !required);
        const gone = body.upstreams.find((u) => u.name === 'gone');
        assert.equal(gone?.required, required);
        assert.notEqual(gone?.state, 'ready');
        assert.equal(body.upstreams.find((u) => u.name === 'up')?.state, 'ready');
      } finally {
        await gw.close();
      }
    }
  });
});
