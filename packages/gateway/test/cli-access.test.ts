/**
 * The access CLI through the real binary: keys create (shown once) / list / revoke, explain
 * (decision and rule, exit 1 on deny) and catalog (exactly what one caller sees, from live
 * upstreams).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { fixtureUpstreamYaml, tempStorage } from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

function setup(): string {
  const storage = tempStorage();
  const file = `${storage}.yaml`;
  writeFileSync(
    file,
    `upstreams:
${fixtureUpstreamYaml('alpha')}
policy:
  groups:
    crm:
      allow:
        - tools: [alpha_echo]
        - tools: [alpha_ask]
          when: ['message in ["eu", "uk"]']
          approval: true
      deny: [{ tools: [alpha_pid] }]
  roles:
    sales: { groups: [crm] }
storage: { path: ${JSON.stringify(storage)} }
`,
  );
  return file;
}

function gatehouse(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('access CLI', () => {
  it('creates a key shown once, lists it without the secret, and revokes it', () => {
    const config = setup();
    const created = gatehouse([
      'keys',
      'create',
      '--user',
      'alice',
      '--org',
      'acme',
      '--roles',
      'sales',
      '--config',
      config,
    ]);
    assert.equal(created.status, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^ghk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /not shown again/);
    const listed = gatehouse(['keys', 'list', '--config', config]);
    assert.match(listed.stdout, /alice@acme\s+roles=sales\s+active/);
    // The secret is everything after the id; base64url may itself hold `_`, so not split('_')[2].
    const secret = key.split('_').slice(2).join('_');
    assert.equal(secret.length, 43);
    assert.equal(listed.stdout.includes(secret), false, 'the secret is never listed');
    const id = key.split('_')[1] ?? '';
    assert.equal(gatehouse(['keys', 'revoke', id, '--config', config]).status, 0);
    assert.equal(gatehouse(['keys', 'list', '--config', config]).stdout.trim(), '');
    assert.equal(gatehouse(['keys', 'revoke', id, '--config', config]).status, 1);
    const bad = gatehouse(['keys', 'create', '--user', 'bob', '--roles', 'nosuchrole', '--config', config]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown role/);
  });

  it('asks the strictest approval of all the groups that allow a call', () => {
    const storage = tempStorage();
    const config = `${storage}.yaml`;
    writeFileSync(
      config,
      `upstreams:
${fixtureUpstreamYaml('alpha')}
policy:
  groups:
    outright:
      allow: [{ tools: [alpha_echo, alpha_pid] }]
    reviewed:
      allow:
        - tools: [alpha_echo]
          approval: queue
        - tools: [alpha_pid]
          when: ['message == "big"']
          approval: in-band
    limits:
      allow:
        - tools: [alpha_ask]
          when: ['message == "small"']
        - tools: [alpha_ask]
          approval: queue
  roles:
    ops: { groups: [outright, reviewed, limits] }
storage: { path: ${JSON.stringify(storage)} }
`,
    );
    const explain = (tool: string, args: string) =>
      gatehouse(['explain', '--roles', 'ops', '--tool', tool, '--args', args, '--config', config]);
    // An outright allow in one group does not lift the queue another group asks for.
    const queued = explain('alpha_echo', '{"message":"hi"}');
    assert.equal(queued.status, 0, queued.stderr);
    assert.match(queued.stdout, /approval: required before the call reaches the upstream \(queue\)/);
    assert.match(queued.stdout, /group:reviewed\/allow\[0\]/);
    // A conditional approval applies when its condition holds, and only then.
    assert.match(explain('alpha_pid', '{"message":"big"}').stdout, /approval: required .*\(in-band\)/);
    assert.doesNotMatch(explain('alpha_pid', '{"message":"small"}').stdout, /approval: required/);
    // Within one group the least strict rule that holds applies: outright when small, else queued.
    assert.doesNotMatch(explain('alpha_ask', '{"message":"small"}').stdout, /approval: required/);
    assert.match(explain('alpha_ask', '{"message":"large"}').stdout, /approval: required .*\(queue\)/);
  });

  it('explains a decision with the rule behind it', () => {
    const config = setup();
    const store = new SqliteApiKeys(`${config.slice(0, -'.yaml'.length)}`);
    store.create({ user: 'alice', roles: ['sales'] });
    store.close();
    const allowed = gatehouse(['explain', '--as', 'alice', '--tool', 'alpha_echo', '--config', config]);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, /ALLOW: tool alpha_echo/);
    assert.match(allowed.stdout, /role:sales → group:crm\/allow\[0\]/);
    const hidden = gatehouse(['explain', '--as', 'alice', '--tool', 'alpha_pid', '--config', config]);
    assert.equal(hidden.status, 1);
    assert.match(hidden.stdout, /DENY[\s\S]*listed:\s+no[\s\S]*group:crm\/deny\[0\]/);
    const outside = gatehouse([
      'explain',
      '--roles',
      'sales',
      '--tool',
      'alpha_ask',
      '--args',
      '{"message":"us"}',
      '--config',
      config,
    ]);
    assert.equal(outside.status, 1);
    assert.match(outside.stdout, /listed:\s+yes[\s\S]*arguments do not meet/);
    const approval = gatehouse([
      'explain',
      '--roles',
      'sales',
      '--tool',
      'alpha_ask',
      '--args',
      '{"message":"eu"}',
      '--config',
      config,
    ]);
    assert.equal(approval.status, 0);
    assert.match(approval.stdout, /approval: required/);
  });

  it('prints exactly the catalog one caller sees', () => {
    const config = setup();
    const run = gatehouse(['catalog', '--roles', 'sales', '--json', '--config', config]);
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as {
      tools: { name: string }[];
      resources: string[];
      prompts: string[];
    };
    assert.deepEqual(seen.tools.map((t) => t.name).sort(), ['alpha_ask', 'alpha_echo']);
    assert.deepEqual(seen.resources, []);
    assert.deepEqual(seen.prompts, []);
  });
});
