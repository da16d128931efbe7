/**
 * examples/company/gatehouse.yaml is self-checking: this test loads it as shipped and asserts the
 * story its header tells, through the same decide() the gateway runs; and the README's commands
 * for it run as printed (from the repository root and from elsewhere) and print what the README
 * shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { loadConfigFile } from '../src/config/load.ts';
import { decide, type Target } from '../src/policy/decide.ts';
import { isCoreTool, searchModeOf } from '../src/policy/search-mode.ts';
import { type CliRun, gatehouseCli } from './helpers/child-gateway.ts';

const FILE = fileURLToPath(new URL('../../../examples/company/gatehouse.yaml', import.meta.url));

const loaded = loadConfigFile(FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const policy = loaded.model.policy;

const tool = (name: string): Target => ({ kind: 'tool', name });
const sees = (role: string, target: Target) => decide(policy, [role], target).visible;
const may = (role: string, target: Target, args: Record<string, unknown> = {}) =>
  decide(policy, [role], target, args);

describe('examples/company/gatehouse.yaml tells its story', () => {
  it('sales sees deals and call notes, and no billing', () => {
    assert.ok(sees('sales', tool('crm_get_deal')));
    assert.ok(sees('sales', tool('crm_get_call_notes')));
    assert.ok(sees('sales', { kind: 'resource', name: 'crm://deals/42' }));
    assert.equal(sees('sales', tool('billing_get_invoices')), false);
    assert.equal(sees('sales', tool('ops_restart_service')), false);
  });

  it('finance sees billing and receivables, and refunds only within limits', () => {
    assert.ok(sees('finance', tool('billing_ar_aging')));
    assert.ok(sees('finance', tool('billing_get_invoices')));
    assert.equal(sees('finance', tool('crm_get_deal')), false);
    assert.equal(may('finance', tool('billing_transfer'), { amount: 900, currency: 'EUR' }).effect, 'allow');
    assert.equal(may('finance', tool('billing_transfer'), { amount: 5000, currency: 'EUR' }).effect, 'deny');
    assert.equal(may('finance', tool('billing_transfer'), { amount: 10, currency: 'BTC' }).effect, 'deny');
  });

  it('nobody sees individual salaries, not even admins', () => {
    for (const role of ['sales', 'support', 'finance', 'sre', 'admin']) {
      assert.equal(sees(role, tool('hr_get_salary')), false, role);
      assert.equal(sees(role, tool('hr_list_compensation_bands')), false, role);
      assert.equal(sees(role, { kind: 'resource', name: 'hr://salaries/alice' }), false, role);
    }
    assert.ok(sees('finance', tool('hr_get_employee')), 'the people directory itself is visible');
  });

  it('only sre may restart services or roll back, and only with approval', () => {
    for (const role of ['sales', 'support', 'finance', 'admin']) {
      assert.equal(sees(role, tool('ops_restart_service')), false, role);
    }
    const restart = may('sre', tool('ops_restart_service'), { service: 'checkout' });
    assert.equal(restart.effect, 'allow');
    assert.equal(restart.approval?.mode, 'queue');
    assert.equal(may('sre', tool('ops_rollback_deploy')).approval?.mode, 'queue');
    assert.equal(may('sre', tool('ops_get_service_health')).approval, null);
    assert.deepEqual(
      loaded.model.approvals.approvers,
      ['admin'],
      'admins decide, and cannot restart themselves',
    );
    assert.equal(loaded.model.approvals.destructiveTools, true);
    assert.deepEqual(
      loaded.model.rateLimits.rules.map((r) => r.name),
      ['calls-per-user', 'transfers-per-day'],
      'every caller is rate limited, and transfers have a daily quota',
    );
  });

  it('support sees tickets and service health, not deals', () => {
    assert.ok(sees('support', tool('crm_list_tickets')));
    assert.ok(sees('support', tool('ops_get_service_health')));
    assert.equal(sees('support', tool('crm_get_deal')), false);
  });

  it('admins, who see everything, search for their tools; the other roles are listed theirs', () => {
    const admin = searchModeOf(loaded.model.toolSearch, ['admin']);
    assert.ok(admin, 'admin is in search mode');
    assert.ok(isCoreTool(admin, 'crm_get_customer_profile') && isCoreTool(admin, 'ops_get_service_health'));
    assert.equal(isCoreTool(admin, 'billing_transfer'), false);
    assert.equal(admin.limit, 5);
    for (const role of ['sales', 'support', 'finance', 'sre']) {
      assert.equal(searchModeOf(loaded.model.toolSearch, [role]), null, role);
    }
  });

  it('injects the caller into every crm call', () => {
    const crm = loaded.model.upstreams.find((u) => u.name === 'crm');
    assert.deepEqual(crm?.inject, [{ tools: ['*'], arguments: { caller_user_id: 'user', org_id: 'org' } }]);
  });
});

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The fenced blocks after `marker` in the README: the commands, then the outputs shown. */
function readmeBlocks(marker: string, count: number): string[] {
  const from = README.indexOf(marker);
  assert.ok(from >= 0, `README has "${marker}"`);
  const blocks = [...README.slice(from).matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.slice(0, count);
}

/** Runs the CLI without blocking this process (the sandbox answers from its event loop). */
function gatehouse(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return gatehouseCli(args, { cwd, env, timeoutMs: 120_000 });
}

/** A README output block as a pattern: "…" stands for text the README leaves out. */
function shown(block: string): RegExp {
  const lines = block.trimEnd().split('\n');
  const pattern = (line: string) =>
    line
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
  return new RegExp(`^${lines.map(pattern).join('\n')}$`);
}

describe("the README's company example runs as printed", () => {
  const [commands = '', catalogShown = '', explainShown = ''] = readmeBlocks(
    'Its servers call the sandbox',
    3,
  );
  let sandbox: RunningSandbox;
  const env: NodeJS.ProcessEnv = { ...process.env };

  before(async () => {
    // `npx gatehouse sandbox &` listens on 7300; the test's sandbox takes a free port and the
    // example's documented variables point the servers at it.
    sandbox = await startSandbox({ port: 0 });
    const base = sandbox.url;
    Object.assign(env, {
      HUBSPOT_BASE_URL: `${base}/hubspot`,
      INTERCOM_BASE_URL: `${base}/intercom`,
      CHARGEOVER_BASE_URL: `${base}/chargeover/api/v3`,
      PLATFORM_BASE_URL: `${base}/platform`,
      GATEHOUSE_DATA_DIR: makeTempDir('gatehouse-company-'),
      WALLET_DB_PATH: join(makeTempDir('gatehouse-company-'), 'wallet.db'),
    });
    delete env.GATEHOUSE_CONFIG;
  });
  after(async () => {
    await sandbox?.close();
  });

  it('keys create, catalog and explain print what the README shows', async () => {
    const lines = commands.trimEnd().split('\n');
    assert.equal(lines[0], 'npx gatehouse sandbox &');
    const outputs: string[] = [];
    for (const line of lines.slice(1)) {
      assert.match(line, /^npx gatehouse /);
      const args = line.replace(/^npx gatehouse /, '').split(' ');
      const run = await gatehouse(args, ROOT, env);
      assert.equal(run.status, 0, `${line}\n${run.stderr}`);
      outputs.push(run.stdout);
    }
    const [created = '', catalog = '', explained = ''] = outputs;
    assert.match(created, /^ghk_/);
    assert.match(catalog.trimEnd(), shown(catalogShown), catalog);
    assert.match(explained.trimEnd(), shown(explainShown), explained);
  });

  it('works from any directory: the servers run from the repository root', async () => {
    const file = join(ROOT, 'examples/company/gatehouse.yaml');
    const run = await gatehouse(['catalog', '--roles', 'sre', '--json', '--config', file], tmpdir(), env);
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as { tools: { name: string }[]; unreachable: { name: string }[] };
    assert.ok(seen.tools.some((t) => t.name === 'ops_restart_service'));
    assert.deepEqual(
      seen.unreachable.map((u) => u.name),
      ['hr'],
    );
  });

  it("catalog shows an admin's search mode: what tools/list shows, and how many tools a search can find", async () => {
    const file = join(ROOT, 'examples/company/gatehouse.yaml');
    const run = await gatehouse(['catalog', '--roles', 'admin', '--config', file], ROOT, env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^search mode: tools\/list shows crm_get_customer_profile, ops_get_service_health, search_tools, call_tool; search_tools finds any of the \d+ above \(5 per search\)$/m,
    );
  });
});
