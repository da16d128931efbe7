/**
 * The internal MCP server's `incidents` and `analytics` components through their front door (the
 * SDK client over Streamable HTTP with the service token, in both MCP eras), on whichever database
 * `databases` gives: whose behalf a call acts on, what each role may do, the activity it leaves,
 * the statistics against the seeded history, and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestDatabases } from '../helpers/backends.ts';
import {
  assertStats,
  call,
  connect,
  ERAS,
  expectedStats,
  internalOf,
  type McpClient,
  ok,
  principalOf,
  restIncidents,
  toolError,
} from '../helpers/internal.ts';
import { ALICE, BOB, CAROL, DAVE, startTestLantern, type TestLantern } from '../helpers/lantern.ts';

interface ActivityRow {
  actor: string;
  via: string;
  action: string;
  target: string;
}

async function restActivity(t: TestLantern, as = ALICE): Promise<ActivityRow[]> {
  const response = await t.api('/activity?limit=500', { as });
  assert.equal(response.status, 200);
  return ((await response.json()) as { activity: ActivityRow[] }).activity;
}

export function internalSuite(backend: TestDatabases['name'], databases: () => TestDatabases): void {
  describe(`internal MCP server (incidents, analytics) on ${backend}`, () => {
    let t: TestLantern;
    const clients: McpClient[] = [];
    before(async () => {
      t = await startTestLantern(await databases().fresh());
    });
    after(async () => {
      for (const client of clients) await client.close().catch(() => {});
      await t?.close();
    });
    async function client(component: 'incidents' | 'analytics', era: 'legacy' | 'modern') {
      const c = await connect(internalOf(t), component, era);
      clients.push(c);
      return c;
    }

    for (const era of ERAS) {
      describe(`${era} era`, () => {
        it('refuses a call that names no user, or an unknown one, and changes nothing', async () => {
          const incidents = await client('incidents', era);
          const before = await restActivity(t);
          const open = { title: 'Nobody opened this', service: 'search-api', severity: 'sev4' };
          toolError(await call(incidents, 'open_incident', open, null), 'unauthenticated', /names none/);
          toolError(
            await call(incidents, 'open_incident', open, {
              id: 'usr_nobody',
              user: 'x',
              org: 'northwind',
              roles: ['admin'],
            }),
            'unauthenticated',
            /no Lantern user has the id "usr_nobody"/,
          );
          toolError(await call(incidents, 'list_incidents', {}, null), 'unauthenticated');
          assert.equal((await restActivity(t)).length, before.length);
          assert.ok(!(await restIncidents(t, ALICE)).some((i) => i.title === open.title));
        });

        it('acts as bob: the incident, its note and status changes are his, via internal-mcp', async () => {
          const incidents = await client('incidents', era);
          const bob = await principalOf(t, BOB);
          const opened = ok(
            await call(
              incidents,
              'open_incident',
              { title: `Cart latency (${era})`, service: 'checkout-api', severity: 'sev3' },
              bob,
            ),
          );
          assert.equal(opened.openedBy, BOB);
          assert.equal(opened.orgId, 'northwind');
          const ref = String(opened.ref);
          const noted = ok(await call(incidents, 'add_note', { ref, body: 'rolled back the CDN rule' }, bob));
          assert.deepEqual(
            (noted.notes as { author: string; body: string }[]).map((n) => [n.author, n.body]),
            [[BOB, 'rolled back the CDN rule']],
          );
          assert.equal(
            ok(await call(incidents, 'set_status', { ref, status: 'resolved' }, bob)).status,
            'resolved',
          );
          const mine = (await restActivity(t)).filter((a) => a.target === ref);
          assert.deepEqual(mine.map((a) => [a.action, a.actor, a.via]).reverse(), [
            ['incident.opened', BOB, 'internal-mcp'],
            ['incident.noted', BOB, 'internal-mcp'],
            ['incident.resolved', BOB, 'internal-mcp'],
          ]);
          const fetched = ok(await call(incidents, 'get_incident', { ref }, bob));
          assert.equal(fetched.status, 'resolved');
        });

        it("trusts only the user id: bob's claimed roles and org change nothing", async () => {
          const incidents = await client('incidents', era);
          const analytics = await client('analytics', era);
          const claimsMore = await principalOf(t, BOB, { roles: ['operator', 'admin'], org: 'contoso' });
          toolError(
            await call(analytics, 'incident_stats', { days: 30 }, claimsMore),
            'forbidden',
            /your role \(responder\) does not allow analytics:read/,
          );
          const listed = ok(await call(incidents, 'list_incidents', { limit: 100 }, claimsMore));
          const orgs = new Set((listed.incidents as { orgId: string }[]).map((i) => i.orgId));
          assert.deepEqual([...orgs], ['northwind']);
        });

        it('carol (viewer) can read but not open an incident', async () => {
          const incidents = await client('incidents', era);
          const carol = await principalOf(t, CAROL);
          assert.ok(
            (ok(await call(incidents, 'list_incidents', {}, carol)).incidents as unknown[]).length > 0,
          );
          const before = (await restIncidents(t, ALICE)).length;
          toolError(
            await call(
              incidents,
              'open_incident',
              { title: 'Viewer tries', service: 'search-api', severity: 'sev4' },
              carol,
            ),
            'forbidden',
            /viewer/,
          );
          assert.equal((await restIncidents(t, ALICE)).length, before);
        });

        it('delete_incident: refused to a responder, done for an admin, and logged via internal-mcp', async () => {
          const incidents = await client('incidents', era);
          const [alice, bob] = [await principalOf(t, ALICE), await principalOf(t, BOB)];
          const opened = ok(
            await call(
              incidents,
              'open_incident',
              { title: `Delete me ${era}`, service: 'media-cdn', severity: 'sev4' },
              alice,
            ),
          );
          const ref = String(opened.ref);
          toolError(
            await call(incidents, 'delete_incident', { ref }, bob),
            'forbidden',
            /responder.*incidents:delete/,
          );
          assert.equal(ok(await call(incidents, 'delete_incident', { ref }, alice)).ref, ref);
          toolError(
            await call(incidents, 'get_incident', { ref }, alice),
            'not_found',
            new RegExp(`no incident ${ref}`),
          );
          const logged = (await restActivity(t)).find(
            (a) => a.action === 'incident.deleted' && a.target === ref,
          );
          assert.deepEqual(logged && { actor: logged.actor, via: logged.via }, {
            actor: ALICE,
            via: 'internal-mcp',
          });
        });

        it('alice (admin) gets incident_stats matching the seeded history, over several windows', async () => {
          const analytics = await client('analytics', era);
          const alice = await principalOf(t, ALICE);
          for (const days of [7, 30, 365]) {
            const stats = ok(await call(analytics, 'incident_stats', { days }, alice));
            assert.equal(stats.org, 'northwind');
            assertStats(stats, expectedStats(await restIncidents(t, ALICE), days));
          }
          const dave = await principalOf(t, DAVE);
          toolError(await call(analytics, 'incident_stats', {}, dave), 'forbidden');
        });

        it('query_activity returns the raw log, filtered; admins only', async () => {
          const analytics = await client('analytics', era);
          const alice = await principalOf(t, ALICE);
          const result = ok(
            await call(
              analytics,
              'query_activity',
              { action: 'incident.opened', actor: BOB, limit: 500 },
              alice,
            ),
          );
          const rows = result.activity as ActivityRow[];
          const expected = (await restActivity(t)).filter(
            (a) => a.action === 'incident.opened' && a.actor === BOB,
          );
          assert.equal(rows.length, expected.length);
          assert.ok(rows.length >= 1);
          for (const row of rows) assert.deepEqual([row.action, row.actor], ['incident.opened', BOB]);
          const future = ok(
            await call(analytics, 'query_activity', { since: '2999-01-01T00:00:00Z' }, alice),
          );
          assert.deepEqual(future.activity, []);
          toolError(await call(analytics, 'query_activity', {}, await principalOf(t, BOB)), 'forbidden');
        });

        it('bad input is a clear tool error and the server keeps serving', async () => {
          const incidents = await client('incidents', era);
          const analytics = await client('analytics', era);
          const bob = await principalOf(t, BOB);
          const alice = await principalOf(t, ALICE);
          toolError(
            await call(incidents, 'get_incident', { ref: 'INC-x' }, bob),
            'invalid',
            /not an incident reference/,
          );
          toolError(
            await call(incidents, 'get_incident', { ref: 'INC-9999' }, bob),
            'not_found',
            /no incident INC-9999/,
          );
          toolError(
            await call(
              incidents,
              'open_incident',
              { title: 'Unknown service', service: 'mainframe', severity: 'sev2' },
              bob,
            ),
            'invalid',
            /not one of your organisation's services/,
          );
          toolError(
            await call(incidents, 'set_status', { ref: 'INC-7', status: 'open' }, bob),
            'conflict',
            /cannot become open/,
          );
          for (const days of [0, -3, 1.5, 100_000]) {
            const bad = await call(analytics, 'incident_stats', { days }, alice);
            assert.equal(bad.isError, true, `days ${days}: ${bad.text}`);
            assert.match(bad.text, /days/);
          }
          toolError(
            await call(analytics, 'query_activity', { since: 'yesterday-ish' }, alice),
            'invalid',
            /since/,
          );
          ok(await call(analytics, 'incident_stats', { days: 30 }, alice));
          ok(await call(incidents, 'list_incidents', {}, bob));
        });
      });
    }

    it('the automation acts in its org under its own name, via internal-mcp, as a responder', async () => {
      const incidents = await client('incidents', 'modern');
      const analytics = await client('analytics', 'modern');
      const watcher = {
        id: 'automation:health-watch',
        user: 'health-watch',
        org: 'northwind',
        roles: ['operator'],
      };
      const opened = ok(
        await call(
          incidents,
          'open_incident',
          { title: 'Degraded: search-api', service: 'search-api', severity: 'sev2' },
          watcher,
        ),
      );
      assert.equal(opened.openedBy, 'automation:health-watch');
      const entry = (await restActivity(t)).find(
        (a) => a.target === opened.ref && a.action === 'incident.opened',
      );
      assert.deepEqual([entry?.actor, entry?.via], ['automation:health-watch', 'internal-mcp']);
      toolError(await call(analytics, 'incident_stats', {}, watcher), 'forbidden');
      toolError(
        await call(incidents, 'list_incidents', {}, { ...watcher, org: 'atlantis' }),
        'unauthenticated',
        /unknown org "atlantis"/,
      );
      toolError(
        await call(incidents, 'list_incidents', {}, { ...watcher, org: null }),
        'unauthenticated',
        /must name the org/,
      );
      toolError(
        await call(incidents, 'list_incidents', {}, { ...watcher, id: 'automation:Bad Name!' }),
        'unauthenticated',
        /not an automation identity/,
      );
    });
  });
}
