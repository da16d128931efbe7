/**
 * The shared PostgreSQL going away and coming back, through the front doors. While it is down a
 * request that needs an API-key lookup is answered 503 with the StorageUnavailable JSON-RPC
 * error (not a 401 blaming the key), a call that needs the approval queue is answered with a
 * tool result saying so, the approvals API and the console sign-in answer 503, the CLI says what
 * it cannot reach — and the gateway keeps serving and recovers by itself once the database is
 * back. The database is one this test starts and stops itself (helpers/own-postgres.ts).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PgApiKeyStore } from '../src/auth/api-keys-pg.ts';
import { openSharedPostgres } from '../src/storage/postgres.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';
import { type OwnPostgres, startOwnPostgres } from './helpers/own-postgres.ts';
import { modernCallAs } from './helpers/raw-http.ts';
import { metricsOf, sampleValue } from './helpers/spans.ts';

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

type Answer = {
  result?: { content?: { text: string }[]; isError?: boolean; _meta?: Record<string, { code?: number }> };
  error?: { code: number; message: string };
};

describe('the shared PostgreSQL unreachable, and back', () => {
  let pg: OwnPostgres;
  let gw: TestGateway;
  let configFile: string;
  const keys: Record<string, string> = {};

  before(async () => {
    pg = await startOwnPostgres();
    const shared = openSharedPostgres({ url: pg.url, poolSize: 1 });
    const store = new PgApiKeyStore(shared);
    for (const [user, roles] of [
      ['alice', ['ops']],
      ['bob', ['admin']],
      ['carol', ['ops']],
    ] as const) {
      keys[user] = (await store.create({ user, roles: [...roles] })).key;
    }
    await shared.close();
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha')}
auth: { apiKeys: true }
approvals: { mode: queue, approvers: [admin] }
audit: { enabled: false }
policy:
  groups:
    work: { allow: [{ tools: [alpha_echo] }, { tools: [alpha_pid], approval: queue }] }
  roles:
    ops: { groups: [work] }
    admin: { groups: [work] }
storage: { path: ${JSON.stringify(tempStorage())}, postgres: { url: ${JSON.stringify(pg.url)} } }
`;
    configFile = `${tempStorage()}.yaml`;
    writeFileSync(configFile, yaml);
    gw = await startGateway(yaml);
  });

  after(async () => {
    await gw?.close();
    pg?.destroy();
  });

  const call = (user: string, tool: string, args: Record<string, unknown> = {}) =>
    modernCallAs<Answer>(gw.url, keys[user] as string, tool, { arguments: args });

  async function rawCall(user: string): Promise<Response> {
    return fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${keys[user]}`,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'alpha_echo',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'alpha_echo',
          arguments: { message: 'hi' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
  }

  it('answers 503 StorageUnavailable while it is down, keeps serving, and recovers by itself', async () => {
    // Up: alice and bob are looked up (and cached for 5 s); carol is not.
    assert.equal(
      (await call('alice', 'alpha_echo', { message: 'up' })).result?.content?.[0]?.text,
      'alpha: up',
    );
    const bobHeaders = { authorization: `Bearer ${keys.bob}` };
    assert.equal((await fetch(new URL('/api/approvals', gw.url), { headers: bobHeaders })).status, 200);
    const signedIn = await fetch(new URL('/console/login', gw.url), {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ key: keys.bob as string }),
    });
    assert.equal(signedIn.status, 303);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    pg.stop();

    // Readiness says so within the probe interval (2 s): a balancer stops sending work here.
    const readiness = async () =>
      (await (await fetch(new URL('/readyz', gw.url))).json()) as {
        ready: boolean;
        checks: { sharedState: boolean };
      };
    let down = await readiness();
    for (let i = 0; i < 40 && down.checks.sharedState; i++) {
      await new Promise((r) => setTimeout(r, 100));
      down = await readiness();
    }
    assert.deepEqual(
      { ready: down.ready, sharedState: down.checks.sharedState },
      { ready: false, sharedState: false },
    );

    // A key that must be looked up: 503 and the registry's error, not a 401 blaming the key.
    const refused = await rawCall('carol');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('www-authenticate'), null);
    assert.equal(refused.headers.get('retry-after'), '5');
    const body = (await refused.json()) as Answer;
    assert.equal(body.error?.code, -32061);
    assert.equal(
      body.error?.message,
      'The API key cannot be checked right now: the shared key store (storage.postgres) is unreachable. Nothing was done; retry shortly',
    );

    // A cached caller whose call needs the approval queue: a tool result the model can act on.
    const queued = await call('alice', 'alpha_pid');
    assert.equal(queued.result?.isError, true);
    assert.equal(
      queued.result?.content?.[0]?.text,
      'Gatehouse: The approval queue cannot be reached right now (the shared database is unavailable); nothing was approved or queued. Retry after 5 s.',
    );
    assert.equal(queued.result?._meta?.['dev.gatehouse/error']?.code, -32061);
    // The same process still serves what needs no database.
    assert.equal(
      (await call('alice', 'alpha_echo', { message: 'still' })).result?.content?.[0]?.text,
      'alpha: still',
    );

    // The approvals API and the console's sign-in say the same.
    const listing = await fetch(new URL('/api/approvals', gw.url), { headers: bobHeaders });
    assert.equal(listing.status, 503);
    assert.match(((await listing.json()) as { error: string }).error, /approval queue cannot be reached/);
    const login = await fetch(new URL('/console/login', gw.url), {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ key: keys.carol as string }),
    });
    assert.equal(login.status, 503);
    assert.match(await login.text(), /Your key cannot be checked right now: the key store is unreachable/);

    const page = await fetch(new URL('/console/approvals', gw.url), { headers: { cookie } });
    assert.equal(page.status, 503);
    assert.match(
      await page.text(),
      /The console sign-ins \(shared PostgreSQL\) cannot be reached right now, so this page cannot be shown and nothing was changed/,
    );

    // A scrape does not hang on the count: it reports the last one it had.
    const scraped = Date.now();
    assert.equal(sampleValue(await metricsOf(gw.url), 'gatehouse_approvals_pending'), 0);
    assert.ok(Date.now() - scraped < 2_000, `the scrape took ${Date.now() - scraped} ms`);

    // The CLI says what it cannot reach.
    const cli = spawnSync(process.execPath, [BIN, 'keys', 'list', '--config', configFile], {
      encoding: 'utf8',
    });
    assert.equal(cli.status, 1);
    assert.match(
      cli.stderr,
      /^gatehouse keys: The API keys \(shared PostgreSQL\) cannot be reached: .*ECONNREFUSED/,
    );

    // Asynchronously: the gateway answering it runs in this process.
    const remote = await execFileAsync(process.execPath, [BIN, 'approvals', 'list', '--url', gw.url], {
      env: { ...process.env, GATEHOUSE_API_KEY: keys.carol },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(remote.code, 1);
    assert.equal(
      remote.stderr,
      'gatehouse approvals: the gateway cannot answer right now (HTTP 503): The API key cannot be checked right now: the shared key store (storage.postgres) is unreachable. Nothing was done; retry shortly\n',
    );

    pg.start();

    // Back: carol is looked up now, and the queue answers again — no restart.
    let recovered: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      recovered = await rawCall('carol');
      if (recovered.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(recovered?.status, 200);
    let up = await readiness();
    for (let i = 0; i < 40 && !up.ready; i++) {
      await new Promise((r) => setTimeout(r, 100));
      up = await readiness();
    }
    assert.equal(up.ready, true, 'ready again by itself');
    const pending = await call('carol', 'alpha_pid');
    assert.match(
      pending.result?.content?.[0]?.text ?? '',
      /needs a human approval and is waiting for it as apr_/,
    );
  });
});

describe('the shared PostgreSQL unreachable when the gateway starts', () => {
  it('says why it waits, serves nothing meanwhile, and starts by itself once the database answers', async () => {
    const pg = await startOwnPostgres();
    pg.stop();
    const configFile = `${tempStorage()}.yaml`;
    writeFileSync(
      configFile,
      `upstreams:\n${fixtureUpstreamYaml('alpha')}
auth: { anonymous: { roles: [everyone] } }
policy:
  groups: { all: { allow: [{ tools: ["*"] }] } }
  roles: { everyone: { groups: [all] } }
storage: { path: ${JSON.stringify(tempStorage())}, postgres: { url: ${JSON.stringify(pg.url)} } }
`,
    );
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const until = async (done: () => boolean, ms: number, what: string) => {
      for (const deadline = Date.now() + ms; !done(); ) {
        if (Date.now() > deadline) throw new Error(`${what}\n--- stderr ---\n${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until(
        () =>
          stderr.includes('storage.postgres cannot be reached; the gateway starts serving once it answers'),
        20_000,
        'the gateway says why it is waiting',
      );
      assert.match(stderr, /ECONNREFUSED|connect/);
      assert.doesNotMatch(stdout, /Gatehouse MCP endpoint/, 'nothing is served before the database answers');
      assert.equal(child.exitCode, null, 'it waits instead of exiting');
      pg.start();
      await until(
        () => /Gatehouse MCP endpoint: (\S+)/.test(stdout),
        30_000,
        'the gateway starts once it answers',
      );
      const url = /Gatehouse MCP endpoint: (\S+)/.exec(stdout)?.[1] as string;
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = (await fetch(new URL('/readyz', url))).status === 200;
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(ready, true);
    } finally {
      child.kill('SIGKILL');
      pg.destroy();
    }
  });
});
