/**
 * examples/company/gatehouse.yaml is self-checking: this test loads it as shipped and asserts the
 * story its header tells, through the same decide() the gateway runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../src/config/load.ts';
import { decide, type Target } from '../src/policy/decide.ts';

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

  it('injects the caller into every crm call', () => {
    const crm = loaded.model.upstreams.find((u) => u.name === 'crm');
    assert.deepEqual(crm?.inject, [{ tools: ['*'], arguments: { caller_user_id: 'user', org_id: 'org' } }]);
  });
});
