/**
 * The demo's one line on the automation's first run: an action whose approval was decided before
 * the run is reported as carried out (or refused), not as still awaiting approval (a new user saw
 * an approval they had just given listed as awaiting).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { RunReport } from '@gatehouse/lantern';
import { automationSummary } from '../src/cli/demo-lantern.ts';

const report = (actions: RunReport['actions']): RunReport => ({
  automation: 'health-watch',
  org: 'northwind',
  startedAt: '2026-12-07T16:00:00.000Z',
  finishedAt: '2026-12-07T16:00:01.000Z',
  ok: true,
  checked: [
    { service: 'search-api', status: 'degraded' },
    { service: 'billing', status: 'healthy' },
  ],
  opened: [],
  actions,
  recovered: [],
  failures: [],
});

const action = (ref: string, state: RunReport['actions'][number]['state'], approvalId: string) => ({
  ref,
  service: 'search-api',
  tool: 'platform_restart_service',
  state,
  approvalId,
  message: '',
});

it('names each action by where its approval stands', () => {
  assert.equal(
    automationSummary(
      report([
        action('INC-8', 'awaiting-approval', 'apr_1'),
        action('INC-9', 'executed', 'apr_2'),
        action('INC-10', 'denied', 'apr_3'),
      ]),
    ),
    'checked 2 services; opened no incident; awaiting approval: apr_1 (platform_restart_service for INC-8); carried out after approval: apr_2 (platform_restart_service for INC-9); refused by an approver: apr_3 (platform_restart_service for INC-10)',
  );
});

it('says nothing of approvals when no action needed one', () => {
  assert.equal(automationSummary(report([])), 'checked 2 services; opened no incident');
});
