/**
 * Two gateway replicas that share nothing but PostgreSQL (storage.postgres), through the front
 * doors: keys made with the CLI work on both; a call queued for approval and held open on one
 * replica is released by an approver deciding through the other; the approval is spent once;
 * the CLI reads the same queue.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureUpstreamYaml, startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';
import { dropPgSchemas, freshPgUrl } from './helpers/pg-schema.ts';
import { modernCallAs } from './helpers/raw-http.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

type Answer = { result?: { content?: { text: string }[]; isError?: boolean }; error?: { code: number } };

describe('replicas sharing keys and approvals through PostgreSQL', () => {
  let one: TestGateway;
  let two: TestGateway;
  let configFile: string;
  const keys: Record<string, string> = {};

  function gatehouse(args: string[]) {
    const run = spawnSync(process.execPath, [BIN, ...args, '--config', configFile], { encoding: 'utf8' });
    assert.equal(run.status, 0, `gatehouse ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  }

  before(async () => {
    const url = await freshPgUrl('replicas');
    // Each replica has a database file of its own: only PostgreSQL is shared.
    const yaml = (storage: string) => `upstreams:\n${fixtureUpstreamYaml('alpha')}
auth: { apiKeys: true }
approvals: { mode: queue, waitSeconds: 20, approvers: [admin] }
audit: { enabled: false }
policy:
  groups:
    work: { allow: [{ tools: [alpha_echo], approval: true }] }
  roles:
    ops: { groups: [work] }
    admin: { groups: [] }
storage: { path: ${JSON.stringify(storage)}, postgres: { url: ${JSON.stringify(url)} } }
`;
    configFile = `${tempStorage()}.yaml`;
    writeFileSync(configFile, yaml(tempStorage()));
    keys.alice = gatehouse(['keys', 'create', '--user', 'alice', '--roles', 'ops']).trim();
    keys.bob = gatehouse(['keys', 'create', '--user', 'bob', '--roles', 'admin']).trim();
    [one, two] = await Promise.all([startGateway(yaml(tempStorage())), startGateway(yaml(tempStorage()))]);
  });

  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await dropPgSchemas();
  });

  /** Bob approves the first pending request through `replica`'s HTTP API once it is queued. */
  async function approveThrough(replica: TestGateway): Promise<string> {
    const headers = { authorization: `Bearer ${keys.bob}` };
    for (;;) {
      const listed = await fetch(new URL('/api/approvals?status=pending', replica.url), { headers });
      assert.equal(listed.status, 200);
      const queued = ((await listed.json()) as { approvals: { id: string }[] }).approvals[0];
      if (queued !== undefined) {
        const decided = await fetch(new URL(`/api/approvals/${queued.id}/approve`, replica.url), {
          method: 'POST',
          headers,
        });
        assert.equal(decided.status, 200);
        return queued.id;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('releases a call held on one replica when the approver decides on the other, and spends it once', async () => {
    const started = Date.now();
    const [answer, id] = await Promise.all([
      modernCallAs<Answer>(one.url, keys.alice as string, 'alpha_echo', { arguments: { message: 'held' } }),
      approveThrough(two),
    ]);
    assert.equal(answer.result?.content?.[0]?.text, 'alpha: held');
    assert.ok(Date.now() - started < 10_000, 'released well before waitSeconds');
    const listed = JSON.parse(gatehouse(['approvals', 'list', '--all', '--json'])) as {
      id: string;
      status: string;
    }[];
    assert.deepEqual(
      listed.map((r) => [r.id, r.status]),
      [[id, 'used']],
      'the CLI reads the same queue: the approval was spent',
    );
  });
});
