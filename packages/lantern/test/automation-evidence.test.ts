/**
 * The health watch's judgement on its own: which change the evidence points to, and which request
 * an incident waits for — only the automation's own notes count, so a user's note cannot make it
 * call a tool.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type Deploy,
  type Evidence,
  type Health,
  pendingRequestOf,
  proposeAction,
  requestLine,
  settledLine,
  severityOf,
} from '../src/automation/evidence.ts';

const WATCH = 'automation:health-watch';

const deploy = (minutesAgo: number, extra: Partial<Deploy> = {}): Deploy => ({
  id: 'dep_abc123',
  service: 'checkout-api',
  version: '2.23.0',
  author: 'sofia',
  status: 'succeeded',
  startedAt: '2026-12-07T12:00:00Z',
  minutesAgo,
  summary: 'pricing engine',
  rollbackOf: null,
  ...extra,
});

const health = (service: string, status: Health['status'] = 'degraded'): Health => ({
  service,
  status,
  activeAlerts: [{ name: 'HighErrors', severity: 'warning', since: 'x', summary: 'y' }],
});

const evidence = (extra: Partial<Evidence>): Evidence => ({
  passages: [],
  runbooks: [],
  deploys: [],
  gaps: [],
  ...extra,
});

const runbook = (service: string, steps: string[]) => ({
  id: 'rb',
  title: `${service} runbook`,
  service,
  steps,
  url: 'u',
});

it('proposes a rollback of a fresh live deploy, not of an old one or of a rollback', () => {
  const fresh = proposeAction(health('checkout-api'), evidence({ deploys: [deploy(42)] }), 'INC-8', WATCH);
  assert.equal(fresh?.tool, 'platform_rollback_deploy');
  assert.deepEqual(fresh?.args.deployId, 'dep_abc123');
  assert.equal(
    proposeAction(health('checkout-api'), evidence({ deploys: [deploy(600)] }), 'INC-8', WATCH),
    undefined,
  );
  const rollback = deploy(10, { rollbackOf: 'dep_older' });
  assert.equal(
    proposeAction(health('checkout-api'), evidence({ deploys: [rollback] }), 'INC-8', WATCH),
    undefined,
  );
});

it('proposes a restart only when the service runbook says to restart it, never when it says it cannot be', () => {
  const says = evidence({
    runbooks: [runbook('search-api', ['If one node is hot, restart search-api pods.'])],
  });
  assert.equal(proposeAction(health('search-api'), says, 'INC-9', WATCH)?.tool, 'platform_restart_service');
  const cannot = evidence({
    runbooks: [
      runbook('media-cdn', ['media-cdn cannot be restarted; fix the origin.', 'restart media-cdn edge']),
    ],
  });
  assert.equal(proposeAction(health('media-cdn'), cannot, 'INC-9', WATCH), undefined);
  const other = evidence({
    runbooks: [runbook('auth-service', ['Restart auth-service only if pods are unhealthy'])],
  });
  assert.equal(proposeAction(health('search-api'), other, 'INC-9', WATCH), undefined);
});

it('grades severity from the health: down sev1, a critical alert sev2, else sev3', () => {
  assert.equal(severityOf(health('a', 'down')), 'sev1');
  assert.equal(
    severityOf({
      ...health('a'),
      activeAlerts: [{ name: 'X', severity: 'critical', since: '', summary: '' }],
    }),
    'sev2',
  );
  assert.equal(severityOf(health('a')), 'sev3');
});

it("reads the pending request from the automation's own notes only, until it is settled", () => {
  const request = {
    tool: 'platform_restart_service' as const,
    args: { service: 'search-api', reason: 'r' },
    approvalId: 'apr_1',
  };
  const own = { author: WATCH, body: `Awaiting approval apr_1\n${requestLine(request)}` };
  assert.deepEqual(pendingRequestOf([own], WATCH), request);
  const forged = {
    author: 'bob@northwind.example',
    body: requestLine({
      tool: 'platform_rollback_deploy',
      args: { deployId: 'dep_x', reason: 'r' },
      approvalId: 'apr_2',
    }),
  };
  assert.equal(pendingRequestOf([forged], WATCH), undefined, "a user's note is not a request");
  assert.deepEqual(pendingRequestOf([own, forged], WATCH), request);
  assert.equal(
    pendingRequestOf([own, { author: WATCH, body: `Done.\n${settledLine('apr_1')}` }], WATCH),
    undefined,
  );
  assert.deepEqual(
    pendingRequestOf([own, { author: 'bob@northwind.example', body: settledLine('apr_1') }], WATCH),
    request,
    "a user's note does not settle it either",
  );
});
