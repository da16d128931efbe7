/**
 * The REST API through its front door, on whichever database `databases` gives: tokens, roles,
 * the org boundary, the business rules, bad input, and the activity log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestDatabases } from '../helpers/backends.ts';
import { ALICE, BOB, CAROL, DAVE, OLIVIA, startTestLantern, type TestLantern } from '../helpers/lantern.ts';

async function problemOf(response: Response, status: number): Promise<{ title: string; detail: string }> {
  assert.equal(response.status, status, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  const body = (await response.json()) as { status: number; title: string; detail: string };
  assert.equal(body.status, status);
  return body;
}

export function restSuite(backend: TestDatabases['name'], databases: () => TestDatabases): void {
  describe(`REST API on ${backend}`, () => {
    let t: TestLantern;
    before(async () => {
      t = await startTestLantern(await databases().fresh());
    });
    after(() => t?.close());

    it('refuses a request without a token, with a bad one, and with a revoked one', async () => {
      const none = await t.api('/incidents', { token: null });
      const missing = await problemOf(none, 401);
      assert.match(missing.detail, /Authorization: Bearer lnt_/);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
      await problemOf(await t.api('/incidents', { token: 'lnt_not-a-real-token' }), 401);
      await problemOf(await t.api('/incidents', { token: 'garbage' }), 401);
      const issued = (await (
        await t.api('/tokens', { method: 'POST', json: { label: 'laptop' } })
      ).json()) as {
        id: string;
        token: string;
      };
      assert.equal((await t.api('/me', { token: issued.token })).status, 200);
      assert.equal((await t.api(`/tokens/${issued.id}`, { method: 'DELETE' })).status, 204);
      const revoked = await problemOf(await t.api('/me', { token: issued.token }), 401);
      assert.match(revoked.detail, /unknown or revoked/);
    });

    it("lists a token without its secret, and a user cannot revoke another user's token", async () => {
      const listed = (await (await t.api('/tokens', { as: CAROL })).json()) as {
        tokens: Record<string, unknown>[];
      };
      assert.ok(listed.tokens.length >= 1);
      for (const token of listed.tokens) assert.equal(token.token, undefined);
      const carolsId = String(listed.tokens[0]?.id);
      await problemOf(await t.api(`/tokens/${carolsId}`, { method: 'DELETE', as: BOB }), 404);
      assert.equal((await t.api('/me', { as: CAROL })).status, 200);
    });

    it('says who the token belongs to and what their role allows', async () => {
      const me = (await (await t.api('/me', { as: CAROL })).json()) as {
        user: { email: string; role: string };
        permissions: string[];
      };
      assert.equal(me.user.email, CAROL);
      assert.equal(me.user.role, 'viewer');
      assert.deepEqual(me.permissions, ['incidents:read', 'tokens:manage']);
      const operator = (await (await t.api('/me', { as: OLIVIA })).json()) as { permissions: string[] };
      assert.ok(!operator.permissions.includes('orgs:all'), 'the REST API never grants orgs:all');
    });

    it('lets a responder open, note, acknowledge and resolve an incident, and records each step', async () => {
      const opened = await t.api('/incidents', {
        method: 'POST',
        json: { title: 'Checkout latency doubled', service: 'checkout-api', severity: 'sev2' },
      });
      assert.equal(opened.status, 201);
      const incident = (await opened.json()) as { ref: string; status: string; openedBy: string };
      assert.equal(opened.headers.get('location'), `/api/v1/incidents/${incident.ref}`);
      assert.equal(incident.status, 'open');
      assert.equal(incident.openedBy, BOB);
      const noted = await t.api(`/incidents/${incident.ref}/notes`, {
        method: 'POST',
        json: { body: 'Rolled back.' },
      });
      assert.equal(noted.status, 201);
      assert.equal(((await noted.json()) as { notes: unknown[] }).notes.length, 1);
      for (const status of ['acknowledged', 'resolved']) {
        const changed = await t.api(`/incidents/${incident.ref}/status`, {
          method: 'POST',
          json: { status },
        });
        assert.equal(((await changed.json()) as { status: string }).status, status);
      }
      const again = await problemOf(
        await t.api(`/incidents/${incident.ref}/status`, {
          method: 'POST',
          json: { status: 'acknowledged' },
        }),
        409,
      );
      assert.match(again.detail, /resolved cannot become acknowledged \(it can become open\)/);
      const log = (await (await t.api(`/activity?limit=10`, { as: ALICE })).json()) as {
        activity: { action: string; target: string; actor: string; via: string }[];
      };
      const mine = log.activity.filter((a) => a.target === incident.ref).map((a) => a.action);
      assert.deepEqual(mine, [
        'incident.resolved',
        'incident.acknowledged',
        'incident.noted',
        'incident.opened',
      ]);
      assert.ok(log.activity.every((a) => a.via === 'api'));
    });

    it('holds a viewer to reading and a responder to not deleting', async () => {
      const denied = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          as: CAROL,
          json: { title: 'Nope', service: 'search-api', severity: 'sev4' },
        }),
        403,
      );
      assert.match(denied.detail, /viewer.*incidents:write/);
      assert.equal((await t.api('/incidents', { as: CAROL })).status, 200);
      await problemOf(await t.api('/incidents/INC-1', { method: 'DELETE', as: BOB }), 403);
      await problemOf(await t.api('/activity', { as: BOB }), 403);
    });

    it('lets an admin delete an incident for good', async () => {
      const created = (await (
        await t.api('/incidents', {
          method: 'POST',
          json: { title: 'Duplicate page', service: 'media-cdn', severity: 'sev4' },
        })
      ).json()) as { ref: string };
      const deleted = await t.api(`/incidents/${created.ref}`, { method: 'DELETE', as: ALICE });
      assert.equal(deleted.status, 200);
      await problemOf(await t.api(`/incidents/${created.ref}`), 404);
      const next = (await (
        await t.api('/incidents', {
          method: 'POST',
          json: { title: 'After the delete', service: 'media-cdn', severity: 'sev4' },
        })
      ).json()) as { ref: string };
      assert.notEqual(next.ref, created.ref, "a deleted incident's number is never given again");
    });

    it("never shows one org's incidents to another org, by any reference", async () => {
      const northwind = (await (await t.api('/incidents?limit=100', { as: BOB })).json()) as {
        incidents: { title: string; orgId: string }[];
      };
      const contoso = (await (await t.api('/incidents?limit=100', { as: DAVE })).json()) as {
        incidents: { title: string; orgId: string }[];
      };
      assert.ok(northwind.incidents.every((i) => i.orgId === 'northwind'));
      assert.ok(contoso.incidents.every((i) => i.orgId === 'contoso'));
      const crm = contoso.incidents.find((i) => i.title.includes('CRM portal'));
      assert.ok(crm);
      // INC-1 exists in both orgs: each user gets their own.
      const bobs = (await (await t.api('/incidents/INC-1', { as: BOB })).json()) as { orgId: string };
      const daves = (await (await t.api('/incidents/1', { as: DAVE })).json()) as { orgId: string };
      assert.equal(bobs.orgId, 'northwind');
      assert.equal(daves.orgId, 'contoso');
      await problemOf(await t.api('/incidents/INC-999', { as: DAVE }), 404);
      const foreignService = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          as: DAVE,
          json: { title: 'Try a Northwind service', service: 'checkout-api', severity: 'sev3' },
        }),
        422,
      );
      assert.match(foreignService.detail, /not one of your organisation's services/);
    });

    it('answers bad input with a problem naming what is wrong, and keeps serving', async () => {
      const severity = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          json: { title: 'x-ray', service: 'search-api', severity: 'p1' },
        }),
        422,
      );
      assert.match(severity.detail, /^severity: /);
      const title = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          json: { title: 'x', service: 'search-api', severity: 'sev3' },
        }),
        422,
      );
      assert.match(title.detail, /^title: a title is at least 3 characters/);
      const notJson = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          body: '{"title":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      assert.match(notJson.detail, /not valid JSON/);
      await problemOf(await t.api('/incidents', { method: 'POST' }), 422);
      await problemOf(await t.api('/incidents/INC-1/notes', { method: 'POST', json: { body: '   ' } }), 422);
      await problemOf(await t.api('/incidents/banana'), 422);
      await problemOf(await t.api('/incidents?status=sleeping'), 422);
      const big = await problemOf(
        await t.api('/incidents', {
          method: 'POST',
          body: JSON.stringify({
            title: 'big',
            service: 'search-api',
            severity: 'sev3',
            summary: 'x'.repeat(70_000),
          }),
          headers: { 'content-type': 'application/json' },
        }),
        413,
      );
      assert.match(big.detail, /at most 65536 bytes/);
      await problemOf(await t.api('/nowhere'), 404);
      assert.equal((await t.api('/incidents')).status, 200);
    });

    it('numbers incidents opened at once without a gap or a duplicate', async () => {
      const opened = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.api('/incidents', {
            method: 'POST',
            as: i % 2 === 0 ? BOB : ALICE,
            json: { title: `Parallel ${i}`, service: 'order-events', severity: 'sev4' },
          }),
        ),
      );
      const refs = await Promise.all(opened.map(async (r) => ((await r.json()) as { ref: string }).ref));
      const numbers = refs.map((ref) => Number(ref.slice(4))).sort((a, b) => a - b);
      assert.equal(new Set(numbers).size, 12);
      assert.equal((numbers.at(-1) ?? 0) - (numbers[0] ?? 0), 11);
    });
  });
}
