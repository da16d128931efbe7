/**
 * Configuration reload without a restart. In process (`gateway.reload(model)`): under a steady
 * stream of calls, a reload that keeps upstream A, adds B and widens the policy fails no call,
 * keeps A's connection (same process), shows B's tools and tells connected clients; a changed
 * upstream is replaced (new process), a removed one retired (its process exits); settings bound
 * at start are refused as needing a restart. Through the real CLI (`gatehouse serve`): rewriting
 * the config file or SIGHUP applies a valid file; an invalid file, or one changing `auth`, is
 * refused with its reasons logged while the running config keeps serving; a file given through
 * symlinks (a Kubernetes ConfigMap mount) is watched through them; `--no-watch` leaves SIGHUP.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import {
  callOutcome,
  configDir,
  killLeftoverGateways,
  killPids,
  type LogLine,
  processGone,
  readyz,
  startChildGateway,
} from './helpers/child-gateway.ts';
import {
  connectClient,
  FIXTURE_SERVER,
  fixtureUpstreamYaml,
  modelFromYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
  waitFor,
} from './helpers/harness.ts';

const pidsSeen = new Set<number>();

after(() => {
  killLeftoverGateways();
  killPids(pidsSeen);
});

interface Shape {
  upstreams: string[];
  /** Tool globs the anonymous caller's role may use. */
  allow: string[];
  /** Extra args for upstream `a` (a change that replaces it). */
  aArgs?: string[];
  auth?: string;
  /** `fatal` in process: a reload applies the level to the harness's silent logger. */
  logLevel?: string;
}

function configYaml(storage: string, shape: Shape): string {
  const upstreams = shape.upstreams.map((name) => {
    const yaml = fixtureUpstreamYaml(name);
    if (name !== 'a' || shape.aArgs === undefined) return yaml;
    const args = [FIXTURE_SERVER, ...shape.aArgs].map((a) => JSON.stringify(a)).join(', ');
    return yaml.replace(`args: [${JSON.stringify(FIXTURE_SERVER)}]`, `args: [${args}]`);
  });
  return `logging: { level: ${shape.logLevel ?? 'info'} }
storage: { path: ${JSON.stringify(storage)} }
${shape.auth ?? 'auth: { anonymous: { roles: [everyone] } }'}
policy:
  groups:
    callable: { allow: [{ tools: [${shape.allow.map((g) => JSON.stringify(g)).join(', ')}] }] }
  roles:
    everyone: { groups: [callable] }
upstreams:
${upstreams.join('')}`;
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools(undefined, { cacheMode: 'refresh' })).tools.map((t) => t.name);
}

async function pidOf(client: Client, upstream: string): Promise<number> {
  const pid = Number(textOf(await client.callTool({ name: `${upstream}_pid`, arguments: {} })));
  assert.ok(Number.isInteger(pid) && pid > 0, `${upstream} pid`);
  pidsSeen.add(pid);
  return pid;
}

/** `slow_progress` (three 400 ms steps) on an upstream; resolves with its text. */
async function slowCall(client: Client, upstream: string): Promise<string> {
  return textOf(await client.callTool({ name: `${upstream}_slow_progress`, arguments: { stepMs: 400 } }));
}

/** A steady stream of `a_echo` calls from every client, `perClient` at a time, until stopped. */
function callStream(clients: Client[], perClient: number) {
  let stopped = false;
  let n = 0;
  const failures: string[] = [];
  const worker = async (client: Client) => {
    while (!stopped) {
      const message = `stream-${n++}`;
      const o = await callOutcome(client, 'a_echo', { message }, 30_000);
      if (o.kind !== 'result' || o.isError || o.text !== `a: ${message}`)
        failures.push(`${message}: ${JSON.stringify(o)}`);
    }
  };
  const running = clients.flatMap((c) => Array.from({ length: perClient }, () => worker(c)));
  return {
    failures,
    get count() {
      return n;
    },
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

describe('reload in process', () => {
  const storage = tempStorage();
  let gw: TestGateway;
  let legacy: Client;
  let modern: Client;
  let listChanged = 0;
  const reload = async (shape: Shape) => {
    const model = modelFromYaml(configYaml(storage, { ...shape, logLevel: 'fatal' }));
    model.server.port = 0; // as the running one (startGateway listens on any port)
    return gw.gateway.reload(model);
  };

  before(async () => {
    gw = await startGateway(configYaml(storage, { upstreams: ['a'], allow: ['a_*'], logLevel: 'fatal' }));
    legacy = await connectClient(gw.url, 'legacy', (c) =>
      c.setNotificationHandler('notifications/tools/list_changed', () => {
        listChanged++;
      }),
    );
    modern = await connectClient(gw.url, 'modern');
  });
  after(async () => {
    await Promise.all([legacy, modern].map((c) => c?.close().catch(() => {})));
    await gw?.close();
  });

  it('adds an upstream and a policy change under load: no failed call, A kept, clients told', async () => {
    const aPid = await pidOf(legacy, 'a');
    assert.ok(!(await toolNames(modern)).some((t) => t.startsWith('b_')));
    const baseline = listChanged;
    const stream = callStream([legacy, modern], 2);
    // About 2 s of calls in all: half a second before the reload, a second or more after it.
    await sleep(500);
    await waitFor(() => stream.count >= 20, 20_000, 'calls before the reload');
    const result = await reload({ upstreams: ['a', 'b'], allow: ['a_*', 'b_*'] });
    assert.deepEqual(result, { ok: true, summary: 'kept 1, started 1, retired 0 upstream(s)' });
    const atReload = stream.count;
    await sleep(1000);
    await waitFor(() => stream.count >= atReload + 40, 20_000, 'calls after the reload');
    await stream.stop();
    assert.deepEqual(stream.failures, [], `${stream.failures.length} of ${stream.count} calls failed`);

    await waitFor(() => listChanged > baseline, 10_000, 'tools list_changed on the legacy session');
    for (const client of [legacy, modern]) {
      const names = await toolNames(client);
      assert.ok(names.includes('b_echo') && names.includes('a_echo'), names.join(', '));
      assert.equal(textOf(await client.callTool({ name: 'b_echo', arguments: { message: 'hi' } })), 'b: hi');
    }
    assert.equal(await pidOf(modern, 'a'), aPid, "A's connection (and process) was kept");
  });

  it('replaces an upstream whose args changed: a new process, the old one ends', async () => {
    const oldPid = await pidOf(modern, 'a');
    const bPid = await pidOf(modern, 'b');
    // A call in flight on the old connection finishes there before it is retired.
    const inFlight = slowCall(legacy, 'a');
    await waitFor(() => gw.gateway.requests.size > 0, 10_000, 'the slow call in flight');
    const result = await reload({ upstreams: ['a', 'b'], allow: ['a_*', 'b_*'], aArgs: ['--variant=2'] });
    assert.deepEqual(result, { ok: true, summary: 'kept 1, started 1, retired 1 upstream(s)' });
    assert.equal(await inFlight, 'done');
    const newPid = await pidOf(modern, 'a');
    assert.notEqual(newPid, oldPid);
    assert.equal(await pidOf(legacy, 'b'), bPid, 'B is untouched');
    assert.equal(textOf(await legacy.callTool({ name: 'a_echo', arguments: { message: 'x' } })), 'a: x');
    await waitFor(() => processGone(oldPid), 10_000, 'the replaced process to exit');
  });

  it('retires a removed upstream: its tools disappear and its process exits', async () => {
    const aPid = await pidOf(modern, 'a');
    const bPid = await pidOf(modern, 'b');
    const baseline = listChanged;
    const inFlight = slowCall(modern, 'b');
    await waitFor(() => gw.gateway.requests.size > 0, 10_000, 'the slow call in flight');
    const result = await reload({ upstreams: ['a'], allow: ['a_*', 'b_*'], aArgs: ['--variant=2'] });
    assert.deepEqual(result, { ok: true, summary: 'kept 1, started 0, retired 1 upstream(s)' });
    assert.equal(await inFlight, 'done', 'a call in flight on a retired upstream still finishes');
    for (const client of [legacy, modern]) {
      const names = await toolNames(client);
      assert.ok(!names.some((t) => t.startsWith('b_')), names.join(', '));
      assert.ok(names.includes('a_echo'));
    }
    await waitFor(() => listChanged > baseline, 10_000, 'tools list_changed on the legacy session');
    await waitFor(() => processGone(bPid), 10_000, "the retired upstream's process to exit");
    assert.equal(await pidOf(legacy, 'a'), aPid);
  });

  it('refuses, whole, a reload that changes settings bound at start', async () => {
    const shape = { upstreams: ['a', 'b'], allow: ['a_*', 'b_*'], aArgs: ['--variant=2'] };
    const port = modelFromYaml(configYaml(storage, { ...shape, logLevel: 'fatal' }));
    port.server.port = 9999;
    const refusedPort = await gw.gateway.reload(port);
    assert.equal(refusedPort.ok, false);
    assert.match(refusedPort.ok ? '' : refusedPort.error, /need a restart.*server\.port/);
    const refusedAuth = await reload({
      ...shape,
      auth: 'auth: { apiKeys: false, anonymous: { roles: [everyone, extra] } }',
    });
    assert.equal(refusedAuth.ok, false);
    assert.match(refusedAuth.ok ? '' : refusedAuth.error, /need a restart.*\bauth\b/);
    // Nothing of either was applied: B (in both offers) did not come back.
    assert.ok(!(await toolNames(modern)).some((t) => t.startsWith('b_')));
    assert.equal(gw.gateway.upstreams.length, 1);
    assert.equal(textOf(await modern.callTool({ name: 'a_echo', arguments: { message: 'y' } })), 'a: y');
  });
});

/** Replaces the file atomically (as editors and config maps do), so no reload sees half of it. */
function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.next`, text);
  renameSync(`${file}.next`, file);
}

function countLogs(logs: LogLine[], prefix: string): number {
  return logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix)).length;
}

describe('reload through the CLI', () => {
  it('applies a rewritten file, refuses invalid ones and restart-only changes, keeps serving', async () => {
    const cfg = configDir();
    const shapeA: Shape = { upstreams: ['a'], allow: ['a_*'] };
    cfg.write(configYaml(cfg.storage, shapeA));
    const gw = await startChildGateway(cfg.file);
    try {
      await waitFor(async () => (await readyz(gw.url)).status === 200, 30_000, 'ready');
      let listChanged = 0;
      const client = await connectClient(gw.url, 'legacy', (c) =>
        c.setNotificationHandler('notifications/tools/list_changed', () => {
          listChanged++;
        }),
      );
      const aPid = await pidOf(client, 'a');
      /** Rewrites the file and waits for the next log line starting with `prefix`. */
      const rewrite = async (text: string, prefix: string): Promise<LogLine> => {
        const seen = countLogs(gw.logs(), prefix);
        replaceFile(cfg.file, text);
        await waitFor(() => countLogs(gw.logs(), prefix) > seen, 20_000, `log "${prefix}"\n${gw.stderr()}`);
        return gw.logs().filter((l) => String(l.msg).startsWith(prefix))[seen] as LogLine;
      };
      const echo = async (message: string) =>
        assert.equal(
          textOf(await client.callTool({ name: 'a_echo', arguments: { message } })),
          `a: ${message}`,
        );

      // A valid change, under a light stream of calls: B added, policy widened.
      const stream = callStream([client], 2);
      const applied = await rewrite(
        configYaml(cfg.storage, { upstreams: ['a', 'b'], allow: ['a_*', 'b_*'] }),
        'config reload applied',
      );
      await stream.stop();
      assert.deepEqual(stream.failures, []);
      assert.equal(applied.summary, 'kept 1, started 1, retired 0 upstream(s)');
      await waitFor(() => listChanged > 0, 10_000, 'tools list_changed');
      assert.ok((await toolNames(client)).includes('b_echo'));
      assert.equal(await pidOf(client, 'a'), aPid);
      const withB = await toolNames(client);

      // Not YAML at all; then YAML that breaks the schema; then a change that needs a restart.
      const notYaml = await rewrite('upstreams: [\n  - name: "unterminated\n', 'config reload refused');
      assert.match(String(notYaml.msg), /not valid; the running config keeps serving/);
      assert.ok(Array.isArray(notYaml.issues) && notYaml.issues.length > 0, JSON.stringify(notYaml));
      assert.match(String(notYaml.issues), /gatehouse\.yaml:\d+:\d+: .*Missing closing .*CONFIG_SYNTAX/);
      await echo('after bad yaml');
      const badSchema = await rewrite(
        `${configYaml(cfg.storage, shapeA)}server: { drainTimeoutMs: "soon" }\n`,
        'config reload refused',
      );
      assert.match(String(badSchema.issues), /server\.drainTimeoutMs: .*"soon".*CONFIG_INVALID/);
      await echo('after bad schema');
      const restart = await rewrite(
        configYaml(cfg.storage, { ...shapeA, auth: 'auth: { anonymous: { roles: [everyone, other] } }' }),
        'config reload refused',
      );
      assert.match(String(restart.err), /need a restart.*\bauth\b/);
      await echo('after restart-only change');
      assert.deepEqual(await toolNames(client), withB, 'the running config is unchanged');

      // A valid file again is applied: B retired, its process gone.
      const bPid = await pidOf(client, 'b');
      const again = await rewrite(configYaml(cfg.storage, shapeA), 'config reload applied');
      assert.equal(again.summary, 'kept 1, started 0, retired 1 upstream(s)');
      assert.ok(!(await toolNames(client)).includes('b_echo'));
      await waitFor(() => processGone(bPid), 10_000, 'B exited');
      assert.equal(await pidOf(client, 'a'), aPid);
      await client.close();
    } finally {
      assert.deepEqual(await gw.stop(), { code: 0, signal: null });
    }
  });

  it('reloads on SIGHUP (with --no-watch, a changed file waits for the signal)', async () => {
    const cfg = configDir();
    cfg.write(configYaml(cfg.storage, { upstreams: ['a'], allow: ['a_*'] }));
    const gw = await startChildGateway(cfg.file, 30_000, ['--no-watch']);
    try {
      await waitFor(async () => (await readyz(gw.url)).status === 200, 30_000, 'ready');
      const client = await connectClient(gw.url, 'modern');
      const aPid = await pidOf(client, 'a');
      replaceFile(cfg.file, configYaml(cfg.storage, { upstreams: ['a', 'b'], allow: ['*'] }));
      await sleep(1000); // well past the watcher's debounce, had it been watching
      assert.equal(countLogs(gw.logs(), 'config reload'), 0, 'no reload before SIGHUP');
      assert.ok(!(await toolNames(client)).includes('b_echo'));
      gw.signal('SIGHUP');
      const applied = await gw.waitForLog((l) => l.msg === 'config reload applied', 20_000, 'applied');
      assert.equal(applied.summary, 'kept 1, started 1, retired 0 upstream(s)');
      const names = await toolNames(client);
      assert.ok(names.includes('b_echo'), names.join(', '));
      assert.equal(
        textOf(await client.callTool({ name: 'b_echo', arguments: { message: 'hup' } })),
        'b: hup',
      );
      assert.equal(await pidOf(client, 'a'), aPid);
      await client.close();
    } finally {
      assert.deepEqual(await gw.stop(), { code: 0, signal: null });
    }
  });

  it('follows a symlinked file: edits behind the link and ConfigMap-style ..data swaps reload', async () => {
    // As Kubernetes mounts a ConfigMap: gatehouse.yaml -> ..data/gatehouse.yaml, and
    // ..data -> ..rev1, swapped to a new revision directory on each update.
    const cfg = configDir();
    const mount = makeTempDir('gatehouse-configmap-');
    const revision = (name: string, shape: Shape) => {
      mkdirSync(join(mount, name));
      writeFileSync(join(mount, name, 'gatehouse.yaml'), configYaml(cfg.storage, shape));
    };
    revision('..rev1', { upstreams: ['a'], allow: ['a_*'] });
    symlinkSync('..rev1', join(mount, '..data'));
    symlinkSync('..data/gatehouse.yaml', join(mount, 'gatehouse.yaml'));
    // The gateway is given a symlink in yet another directory, pointing into the mount.
    symlinkSync(join(mount, 'gatehouse.yaml'), cfg.file);
    const gw = await startChildGateway(cfg.file);
    try {
      await waitFor(async () => (await readyz(gw.url)).status === 200, 30_000, 'ready');
      const client = await connectClient(gw.url, 'modern');
      const applied = async (n: number) => {
        await waitFor(
          () => countLogs(gw.logs(), 'config reload applied') >= n,
          20_000,
          `reload ${n}\n${gw.stderr().slice(-3000)}`,
        );
      };

      // 1. The file behind the links is edited in place.
      writeFileSync(
        join(mount, '..rev1', 'gatehouse.yaml'),
        configYaml(cfg.storage, { upstreams: ['a', 'b'], allow: ['*'] }),
      );
      await applied(1);
      assert.ok((await toolNames(client)).includes('b_echo'));

      // 2. A new revision is swapped in the way the kubelet does it, and the old one removed.
      revision('..rev2', { upstreams: ['a', 'c'], allow: ['*'] });
      symlinkSync('..rev2', join(mount, '..data_tmp'));
      renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
      rmSync(join(mount, '..rev1'), { recursive: true });
      await applied(2);
      let names = await toolNames(client);
      assert.ok(names.includes('c_echo') && !names.includes('b_echo'), names.join(', '));

      // 3. The new revision is edited: the watch followed the swap.
      writeFileSync(
        join(mount, '..rev2', 'gatehouse.yaml'),
        configYaml(cfg.storage, { upstreams: ['a'], allow: ['*'] }),
      );
      await applied(3);
      names = await toolNames(client);
      assert.ok(!names.includes('c_echo'), names.join(', '));
      assert.equal(countLogs(gw.logs(), 'config reload refused'), 0, gw.stderr().slice(-3000));
      await client.close();
    } finally {
      assert.deepEqual(await gw.stop(), { code: 0, signal: null });
    }
  });
});
