/**
 * restart_service and rollback_deploy against the sandbox: attributed to the caller (and refused
 * without one), one action per request however often it is repeated, refusals explained with
 * the facts needed next, and no action recorded when the platform API is down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyKey } from '../src/tools/action-tools.ts';
import { type Loose, NOW, SRE, startWorld } from './helpers.ts';

describe('restart_service', () => {
  it('refuses without a caller, and nothing happens', async () => {
    const world = await startWorld({ caller: null });
    try {
      const out = await world.client.call('restart_service', {
        service: 'search-api',
        reason: 'stuck threads',
      });
      assert.equal(out.isError, true);
      assert.equal(out.errorCode, 'caller_required');
      assert.match(out.text, /must be attributable/);
      const rollback = await world.client.call('rollback_deploy', {
        deployId: 'dep_x',
        reason: 'bad release',
      });
      assert.equal(rollback.errorCode, 'caller_required');
      assert.deepEqual(await world.events(), []);
      // Reads need no caller.
      assert.equal((await world.client.call('get_service_health', { service: 'search-api' })).isError, false);
    } finally {
      await world.close();
    }
  });

  it('restarts once per request, attributed to the caller, and the service recovers', async () => {
    const world = await startWorld();
    try {
      const args = { service: 'search-api', reason: 'OpenSearch thread pool saturated' };
      const first = await world.client.call('restart_service', args);
      assert.equal(first.isError, false, first.text);
      const restart = first.structured as Loose;
      assert.equal(restart.service, 'search-api');
      assert.equal(restart.healthStatus, 'recovering');
      assert.equal(restart.requestedBy, 'dana');
      assert.match(restart.idempotencyKey, /^gatehouse-restart_service-[0-9a-f]{32}$/);

      // The model (or a client retry) sends the same call again: same answer, no second restart.
      const again = await world.client.call('restart_service', args);
      assert.deepEqual(again.structured, first.structured);
      const events = await world.events('search-api');
      assert.equal(events.length, 1);
      assert.equal(events[0]?.requested_by, 'dana');
      assert.equal(events[0]?.reason, 'OpenSearch thread pool saturated');

      // A deliberate second restart with its own reason is a new request.
      const second = await world.client.call('restart_service', {
        ...args,
        reason: 'still slow after restart',
      });
      assert.notEqual((second.structured as Loose).eventId, restart.eventId);
      assert.equal((await world.events('search-api')).length, 2);

      const health = (await world.client.call('get_service_health', { service: 'search-api' }))
        .structured as Loose;
      assert.equal(health.status, 'recovering');
      assert.equal(health.lastIncident.status, 'resolved');
    } finally {
      await world.close();
    }
  });

  it('explains services that cannot be restarted and unknown ones', async () => {
    const world = await startWorld();
    try {
      const db = await world.client.call('restart_service', {
        service: 'ledger-db',
        reason: 'connections piling up',
      });
      assert.equal(db.errorCode, 'not_restartable');
      assert.match(db.text, /runbooks for ledger-db/);
      const typo = await world.client.call('restart_service', {
        service: 'serch-api',
        reason: 'slow results',
      });
      assert.equal(typo.errorCode, 'unknown_service');
      assert.match(typo.text, /Did you mean "search-api"/);
      assert.deepEqual(await world.events(), []);
    } finally {
      await world.close();
    }
  });

  it('records nothing when the platform API is down', async () => {
    const world = await startWorld({ maxAttempts: 2, breakerFailures: 1_000 });
    try {
      world.sandbox.faults.set('platform', { outage: true });
      const out = await world.client.call('restart_service', {
        service: 'search-api',
        reason: 'slow results',
      });
      assert.equal(out.errorCode, 'platform_unavailable');
      assert.match(out.text, /Nothing was changed|failing/);
      world.sandbox.faults.reset();
      assert.deepEqual(await world.events(), []);
    } finally {
      await world.close();
    }
  });
});

describe('rollback_deploy', () => {
  it('rolls back the latest deploy to the previous version, once, and explains refusals', async () => {
    const world = await startWorld();
    try {
      const list = await world.client.call('list_recent_deploys', {
        service: 'checkout-api',
        sinceHours: 720,
        limit: 50,
      });
      const deploys = (list.structured as Loose).deploys as Loose[];
      const [latest, older] = deploys;
      const previous = deploys.slice(1).find((d) => d.status === 'succeeded' && d.version !== latest.version);

      const notLatest = await world.client.call('rollback_deploy', {
        deployId: older.id,
        reason: 'bad release',
      });
      assert.equal(notLatest.errorCode, 'not_latest_deploy');
      assert.match(notLatest.text, new RegExp(`The latest is ${latest.id} \\(version ${latest.version}`));
      const missing = await world.client.call('rollback_deploy', {
        deployId: 'dep_000000000000',
        reason: 'bad release',
      });
      assert.equal(missing.errorCode, 'unknown_deploy');
      assert.match(missing.text, /list_recent_deploys/);

      const args = { deployId: latest.id, reason: 'checkout 5xx since the pricing engine release' };
      const done = await world.client.call('rollback_deploy', args);
      assert.equal(done.isError, false, done.text);
      const rollback = done.structured as Loose;
      assert.equal(rollback.service, 'checkout-api');
      assert.equal(rollback.fromVersion, latest.version);
      assert.equal(rollback.toVersion, previous.version);
      assert.equal(rollback.rolledBackDeployId, latest.id);
      assert.equal(rollback.requestedBy, 'dana');
      const again = await world.client.call('rollback_deploy', args);
      assert.deepEqual(again.structured, done.structured);
      const events = await world.events('checkout-api');
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'rollback');

      const after = await world.client.call('list_recent_deploys', { service: 'checkout-api', limit: 2 });
      const [replacement, undone] = (after.structured as Loose).deploys;
      assert.equal(replacement.id, rollback.rollbackDeployId);
      assert.equal(replacement.rollbackOf, latest.id);
      assert.equal(undone.status, 'rolled_back');

      const twice = await world.client.call('rollback_deploy', {
        deployId: latest.id,
        reason: 'try once more',
      });
      assert.equal(twice.errorCode, 'not_latest_deploy');
      const health = (await world.client.call('get_service_health', { service: 'checkout-api' }))
        .structured as Loose;
      assert.equal(health.status, 'recovering');
      assert.deepEqual(health.activeAlerts, []);
    } finally {
      await world.close();
    }
  });
});

describe('idempotency keys', () => {
  it('are the same for the same request in one window and differ otherwise', () => {
    const base = {
      tool: 'restart_service',
      target: 'search-api',
      reason: 'slow',
      callerId: SRE.id,
      now: NOW.getTime(),
    };
    const key = idempotencyKey(base);
    assert.equal(idempotencyKey({ ...base, reason: '  slow ', now: NOW.getTime() + 60_000 }), key);
    for (const changed of [
      { target: 'checkout-api' },
      { reason: 'slower' },
      { callerId: 'key:someone-else' },
      { tool: 'rollback_deploy' },
      { now: NOW.getTime() + 10 * 60_000 },
    ]) {
      assert.notEqual(idempotencyKey({ ...base, ...changed }), key, JSON.stringify(changed));
    }
  });
});
