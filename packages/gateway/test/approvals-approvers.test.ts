/**
 * Who an approval comes from, and what it is bound to, through the front door: the CLI on the
 * host refuses `--by` names that are not configured approvers (and audits the OS user who tried),
 * the CLI decides through the gateway with the approver's own key (`--url`), and an approval
 * record names the caller, the tool, the arguments' hash, the policy version and its expiry —
 * and an in-band answer presented a second time is refused as a replay.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { APPROVAL_META_KEY } from '../src/stages/approve.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';
import { modernCallAs } from './helpers/raw-http.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));
const run = promisify(execFile);

const CONFIG = `auth:
  apiKeys: true
approvals:
  mode: queue
  destructiveTools: true
  approvers: [admin]
policy:
  groups:
    work:
      allow:
        - tools: [alpha_wipe]
        - tools: [alpha_echo]
          approval: in-band
    review:
      allow: [{ tools: [alpha_echo] }]
  roles:
    ops: { groups: [work] }
    admin: { groups: [review] }
`;

describe('approvals: who approves, and what an approval is bound to', () => {
  let gw: TestGateway;
  let storage: string;
  let configFile: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha', { FIXTURE_DESTRUCTIVE: 'wipe' })}\n${CONFIG}storage: { path: ${JSON.stringify(storage)} }\n`;
    configFile = `${storage}.yaml`;
    writeFileSync(configFile, yaml);
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
    keys.bob = store.create({ user: 'bob', roles: ['admin'] }).key;
    store.close();
    gw = await startGateway(yaml);
  });

  after(async () => {
    await gw?.close();
  });

  function as(user: string): Promise<Client> {
    return connectClient(gw.url, 'legacy', undefined, {}, { authorization: `Bearer ${keys[user]}` });
  }

  /** Alice's destructive call, queued; returns the approval id it waits on. */
  async function queuedWipe(target: string): Promise<string> {
    const alice = await as('alice');
    try {
      const result = (await alice.callTool({ name: 'alpha_wipe', arguments: { target } })) as {
        _meta?: Record<string, { approvalId: string }>;
      };
      const id = result._meta?.[APPROVAL_META_KEY]?.approvalId;
      assert.ok(id, JSON.stringify(result));
      return id;
    } finally {
      await alice.close();
    }
  }

  async function callWipe(target: string): Promise<string> {
    const alice = await as('alice');
    try {
      return textOf(await alice.callTool({ name: 'alpha_wipe', arguments: { target } }));
    } finally {
      await alice.close();
    }
  }

  async function apiGet(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(new URL(path, gw.url), { headers: { authorization: `Bearer ${keys.bob}` } });
    return (await response.json()) as Record<string, unknown>;
  }

  async function auditRecords() {
    const store = await openCommittedAudit(storage);
    try {
      return await store.query({ limit: 10_000 });
    } finally {
      await store.close();
    }
  }

  /** The CLI on the host (direct database). Synchronous: it does not need the gateway to answer. */
  function hostCli(...args: string[]) {
    return spawnSync(process.execPath, [BIN, 'approvals', ...args, '--config', configFile], {
      encoding: 'utf8',
    });
  }

  /** The CLI through the gateway, from a directory with no configuration, with `key` in the env. */
  async function remoteCli(key: string, ...args: string[]) {
    const cwd = makeTempDir('gatehouse-remote-');
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, 'approvals', ...args], {
        cwd,
        env: { ...process.env, GATEHOUSE_API_KEY: key },
      });
      return { status: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('the host CLI refuses a --by name that is not a configured approver, and audits who tried', async () => {
    const id = await queuedWipe('prod');
    const newcomer = hostCli('approve', id, '--by', 'newcomer');
    assert.equal(newcomer.status, 1, newcomer.stdout);
    assert.match(
      newcomer.stderr,
      /"newcomer" is not a configured approver: deciding approvals needs one of the roles \[admin\]/,
    );
    assert.match(newcomer.stderr, /--url/);
    // A configured user without an approver role is refused the same way.
    const alice = hostCli('approve', id, '--by', 'alice');
    assert.equal(alice.status, 1);
    assert.match(alice.stderr, /"alice" is not a configured approver/);
    assert.equal((await apiGet(`/api/approvals/${id}`)).status, 'pending');
    const shown = hostCli('show', id);
    const hash = createHash('sha256').update('{"target":"prod"}').digest('hex');
    assert.match(
      shown.stdout,
      new RegExp(`bound to: +arguments sha256 ${hash}, policy version [0-9a-f]{16}, until 20`),
    );

    const refused = (await auditRecords()).find(
      (r) => r.method === 'approvals/approve' && r.principal?.user === 'newcomer',
    );
    assert.equal(refused?.status, 'denied');
    assert.equal(refused?.transport, 'cli');
    assert.match(refused?.errorMessage ?? '', /not a configured approver/);
    assert.equal((refused?.arguments as { osUser?: string } | undefined)?.osUser, userInfo().username);

    // A configured approver decides; the audit names them and the OS user who ran the command.
    const bob = hostCli('approve', id, '--by', 'bob');
    assert.equal(bob.status, 0, bob.stderr);
    assert.match(bob.stdout, new RegExp(`approved: ${id} approved by bob`));
    assert.match(await callWipe('prod'), /wipe prod call #/);
    const decided = (await auditRecords()).find(
      (r) => r.method === 'approvals/approve' && r.status === 'ok' && r.target === id,
    );
    assert.equal(decided?.principal?.user, 'bob');
    assert.equal((decided?.arguments as { osUser?: string } | undefined)?.osUser, userInfo().username);
  });

  it('the CLI decides through the gateway as the owner of the key (--url), with no config file', async () => {
    const id = await queuedWipe('staging');
    const notApprover = await remoteCli(keys.alice as string, 'approve', id, '--url', gw.url);
    assert.equal(notApprover.status, 1);
    assert.equal(
      notApprover.stderr,
      'gatehouse approvals: the gateway refused (HTTP 403): the approval queue needs one of the roles [admin]\n',
    );
    const noKey = await remoteCli('', 'approve', id, '--url', gw.url);
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /needs an approver's credential, and GATEHOUSE_API_KEY is empty/);
    const both = await remoteCli(keys.bob as string, 'approve', id, '--url', gw.url, '--by', 'bob');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--by cannot be used with --url/);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await remoteCli(keys.bob as string, 'list', '--url', `http://127.0.0.1:${port}/mcp`);
    assert.equal(unreachable.status, 1);
    assert.match(
      unreachable.stderr,
      new RegExp(
        `^gatehouse approvals: the gateway at http://127.0.0.1:${port} is unreachable: .*ECONNREFUSED`,
      ),
    );

    const pending = await remoteCli(keys.bob as string, 'list', '--url', gw.url, '--config', 'absent.yaml');
    assert.match(pending.stdout, new RegExp(`${id} pending`));
    const approved = await remoteCli(keys.bob as string, 'approve', id, '--url', gw.url, '--note', 'ok');
    assert.equal(approved.status, 0, approved.stderr);
    assert.match(
      approved.stdout,
      new RegExp(`^approved: ${id} approved by bob \\(ok\\) alice tools/call alpha_wipe`),
    );
    assert.match(await callWipe('staging'), /wipe staging call #/);
    const decided = (await auditRecords()).find((r) => r.method === 'approvals/approve' && r.target === id);
    assert.equal(decided?.transport, 'http');
    assert.equal(decided?.principal?.via, 'api-key');
    assert.equal(decided?.principal?.user, 'bob');
  });

  it('binds an in-band approval to the exact call and refuses it when presented again', async () => {
    const post = (params: Record<string, unknown>) =>
      modernCallAs<{
        result?: { requestState?: string; content?: { text: string }[] };
        error?: { code: number; message: string; data?: { approvalId?: string; reason?: string } };
      }>(gw.url, keys.alice ?? '', 'alpha_echo', params);
    const args = { message: 'replay me' };
    const first = await post({ arguments: args });
    const state = first.result?.requestState;
    assert.ok(state, JSON.stringify(first));
    const yes = { 'gatehouse-approval': { action: 'accept', content: { approve: true } } };
    const ok = await post({ arguments: args, requestState: state, inputResponses: yes });
    assert.equal(ok.result?.content?.[0]?.text, 'alpha: replay me');

    const replayed = await post({ arguments: args, requestState: state, inputResponses: yes });
    assert.equal(replayed.error?.code, -32058, JSON.stringify(replayed));
    assert.match(
      replayed.error?.message ?? '',
      /^Approval apr_\S+ was already used \(at .*\); an approval lets one call through once/,
    );
    assert.equal(replayed.error?.data?.reason, 'already-used');

    // The record: caller, tool, the arguments' SHA-256, the policy version, expiry — and used.
    const record = (await apiGet(`/api/approvals/${replayed.error?.data?.approvalId}`)) as {
      status: string;
      principal: { user: string };
      target: string;
      argumentsHash: string;
      policyVersion: string;
      expiresAt: string;
      decidedBy: string;
    };
    assert.equal(record.status, 'used');
    assert.equal(record.principal.user, 'alice');
    assert.equal(record.target, 'alpha_echo');
    assert.equal(record.argumentsHash, createHash('sha256').update(JSON.stringify(args)).digest('hex'));
    assert.match(record.policyVersion, /^[0-9a-f]{16}$/);
    assert.ok(Date.parse(record.expiresAt) > Date.now());
    assert.equal(record.decidedBy, 'alice (in-band)');

    const audited = (await auditRecords()).filter(
      (r) => r.target === 'alpha_echo' && r.method === 'tools/call',
    );
    assert.equal(audited.filter((r) => r.status === 'ok').length, 1, 'the call ran once');
    const refusal = audited.find((r) => r.errorCode === -32058);
    assert.equal(refusal?.status, 'denied');
    assert.match(refusal?.errorMessage ?? '', /already used/);
  });
});
