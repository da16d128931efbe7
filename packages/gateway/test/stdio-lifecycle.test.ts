/**
 * Stdio upstream lifecycle: each child leads its own process group; when it crashes the whole
 * group (grandchildren included) is reaped and the upstream restarts with a new pid, while the
 * other upstreams keep serving; on shutdown nothing is left behind.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { groupMembers, signalGroup } from '../src/upstream/process-group.ts';
import type { Upstream } from '../src/upstream/upstream.ts';
import {
  type ClientEra,
  connectClient,
  FIXTURE_SERVER,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
  toolFailure,
  waitFor,
} from './helpers/harness.ts';

const KILLS = 3;
const ERAS: ClientEra[] = ['legacy', 'modern'];

/**
 * The crashing upstream waits 250–500 ms before restarting (backoff with jitter, attempt 0), so
 * the test reliably observes it down; the other keeps the harness's quick restart policy.
 */
function crashyUpstreamYaml(name: string): string {
  return fixtureUpstreamYaml(name, { FIXTURE_GRANDCHILD: '1' }).replace(
    'restart: { initialDelayMs: 50, maxDelayMs: 200 }',
    'restart: { initialDelayMs: 500, maxDelayMs: 1000 }',
  );
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function allProcs(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is ProcInfo => p !== null && p.state !== 'Z');
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Live fixture servers started by this test process (directly or through setsid). */
function fixtureChildrenOfThisProcess(): number[] {
  return allProcs()
    .filter((p) => p.ppid === process.pid && cmdline(p.pid).includes(FIXTURE_SERVER))
    .map((p) => p.pid);
}

function upstreamNamed(gw: TestGateway, name: string): Upstream {
  const upstream = gw.gateway.upstreams.find((u) => u.name === name);
  assert.ok(upstream, `upstream ${name} exists`);
  return upstream;
}

function livePid(upstream: Upstream): number {
  const pid = upstream.pid;
  assert.ok(pid !== null, `${upstream.name} has a pid`);
  return pid;
}

async function callText(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await client.callTool({ name, arguments: args }));
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools(undefined, { cacheMode: 'refresh' })).tools.map((t) => t.name);
}

/** Rejects if `promise` has not settled within `ms` — a hang is a failure, not a slow pass. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A call to the crashed upstream is refused promptly: an isError result explaining that the
 * upstream is unavailable (-32050) when the connection closes under it, or -32602 (unknown tool)
 * once its tools have dropped out of the catalog — either way naming it, never a hang.
 */
async function expectDownError(client: Client, what: string): Promise<void> {
  await within(
    toolFailure(client.callTool({ name: 'crashy_pid', arguments: {} })).then((failure) => {
      const { code, message } = failure;
      assert.ok(code === -32050 || code === -32602, `${what}: error code, got ${String(code)}`);
      assert.match(String(message), /crashy/);
    }),
    5_000,
    what,
  );
}

describe('stdio upstream lifecycle', () => {
  let gw: TestGateway;
  /** One SDK client of each era; every check through the gateway runs with both. */
  let clients: Client[] = [];
  let closed = false;
  /** Every process group any upstream has led during the test. */
  const groupsSeen = new Set<number>();

  before(async () => {
    gw = await startGateway(`upstreams:
${crashyUpstreamYaml('crashy')}
${fixtureUpstreamYaml('steady')}
`);
    clients = await Promise.all(ERAS.map((era) => connectClient(gw.url, era)));
  });

  after(async () => {
    if (!closed) {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await gw?.close();
    }
    // Should a test above have failed, do not leak its processes into the rest of the run.
    for (const g of groupsSeen) if (groupMembers(g).length > 0) signalGroup(g, 'SIGKILL');
  });

  it('starts each stdio upstream as the leader of its own process group', async () => {
    const crashy = upstreamNamed(gw, 'crashy');
    const steady = upstreamNamed(gw, 'steady');
    assert.equal(crashy.state, 'ready');
    assert.equal(steady.state, 'ready');
    const crashyPid = livePid(crashy);
    const steadyPid = livePid(steady);
    groupsSeen.add(crashyPid).add(steadyPid);

    // The upstream's pid is its group id, and is the server itself (setsid execs, no fork).
    assert.equal(readProc(crashyPid)?.pgrp, crashyPid);
    assert.equal(readProc(steadyPid)?.pgrp, steadyPid);
    for (const client of clients) {
      assert.equal(await callText(client, 'crashy_pid'), String(crashyPid));
      assert.equal(await callText(client, 'steady_pid'), String(steadyPid));
    }

    // Server + grandchild in one group; the plain fixture is alone in its group.
    await waitFor(() => groupMembers(crashyPid).length === 2, 5_000, 'the grandchild to start');
    assert.equal(groupMembers(crashyPid).length, 2);
    assert.deepEqual(groupMembers(steadyPid), [steadyPid]);
    // Neither group is the test's own.
    assert.notEqual(crashyPid, readProc(process.pid)?.pgrp);
  });

  it(`reaps the crashed group and restarts it, ${KILLS} times, while the other upstream serves`, async () => {
    const crashy = upstreamNamed(gw, 'crashy');
    const steady = upstreamNamed(gw, 'steady');
    const steadyPid = livePid(steady);

    // Invariant, sampled finely through the crashes: a stdio upstream never reports `ready`
    // without a live process (it would read as ready on /readyz while it is being reaped).
    const violations: string[] = [];
    const sampler = setInterval(() => {
      if (crashy.state === 'ready' && crashy.pid === null) violations.push(`ready without a pid`);
    }, 1);
    try {
      await killAndRestart(crashy, steady, steadyPid);
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual([...new Set(violations)], [], 'state stays consistent with the process');
  });

  async function killAndRestart(crashy: Upstream, steady: Upstream, steadyPid: number): Promise<void> {
    for (let round = 1; round <= KILLS; round++) {
      await waitFor(() => crashy.state === 'ready' && crashy.pid !== null, 10_000, `crashy ready (${round})`);
      const oldPid = livePid(crashy);
      groupsSeen.add(oldPid);
      await waitFor(() => groupMembers(oldPid).length === 2, 5_000, `grandchild of ${oldPid} (${round})`);
      const oldMembers = groupMembers(oldPid);

      process.kill(oldPid, 'SIGKILL');
      // A call racing the crash fails (the connection closes under it) rather than hanging.
      for (const client of clients) await expectDownError(client, `a call racing the crash (${round})`);

      // Down: the gateway noticed, reaped the group and is backing off before the restart.
      await waitFor(() => crashy.state === 'backoff', 5_000, `crashy in backoff (${round})`);
      await waitFor(() => groupMembers(oldPid).length === 0, 3_000, `group ${oldPid} reaped (${round})`);
      for (const pid of oldMembers) {
        assert.ok(readProc(pid) === null || readProc(pid)?.state === 'Z', `pid ${pid} is gone (${round})`);
      }

      for (const client of clients) {
        // Meanwhile the other upstream's list and calls keep working …
        const names = await within(toolNames(client), 5_000, 'tools/list while crashy is down');
        assert.ok(names.includes('steady_echo'), `steady's tools are listed (${round})`);
        assert.ok(names.includes('steady_pid'));
        assert.ok(!names.includes('crashy_pid'), 'a down upstream drops out of the list');
        assert.equal(await callText(client, 'steady_echo', { message: `r${round}` }), `steady: r${round}`);
        // … and a call to the down upstream fails fast with a JSON-RPC error.
        await expectDownError(client, `a call while crashy is down (${round})`);
      }
      assert.equal(crashy.state, 'backoff', 'the checks above ran while crashy was still down');

      // Back up with a new process (group).
      await waitFor(
        () => crashy.state === 'ready' && crashy.pid !== null && crashy.pid !== oldPid,
        10_000,
        `crashy restarted (${round})`,
      );
      const newPid = livePid(crashy);
      groupsSeen.add(newPid);
      assert.equal(readProc(newPid)?.pgrp, newPid, 'the new server leads its own group');
      assert.deepEqual(groupMembers(oldPid), [], 'the old group stays empty');
      assert.equal(crashy.restarts, round);
      for (const client of clients) {
        assert.equal(await callText(client, 'crashy_pid'), String(newPid));
        assert.ok((await toolNames(client)).includes('crashy_echo'), 'crashy tools are listed again');
        // The other upstream was never disturbed.
        assert.equal(await callText(client, 'steady_pid'), String(steadyPid));
      }
      assert.equal(steady.state, 'ready');
      assert.equal(steady.pid, steadyPid);
    }
  }

  it('leaves no process behind after gateway.close()', async () => {
    const crashy = upstreamNamed(gw, 'crashy');
    await waitFor(() => crashy.state === 'ready' && crashy.pid !== null, 10_000, 'crashy ready');
    for (const u of gw.gateway.upstreams) if (u.pid !== null) groupsSeen.add(u.pid);
    assert.ok(groupsSeen.size >= 2, `saw ${groupsSeen.size} groups`);

    closed = true;
    await Promise.all(clients.map((c) => c.close()));
    await gw.close();

    for (const u of gw.gateway.upstreams) {
      assert.equal(u.state, 'stopped');
      assert.equal(u.pid, null);
    }
    // stop() awaits the reaping: nothing from any group seen may still be alive.
    for (const g of groupsSeen) assert.deepEqual(groupMembers(g), [], `group ${g} is empty`);
    assert.deepEqual(fixtureChildrenOfThisProcess(), [], 'no fixture server left');
  });
});
