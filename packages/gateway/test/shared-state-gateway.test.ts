/**
 * 2025-era sessions across gateway replicas (storage.postgres, a real PostgreSQL): two gateways on
 * one database stand for replicas behind a balancer without affinity. A session opened through
 * one is served by the other — the call lane and the SDK path alike — keeps working after the
 * first one stops, is refused everywhere once ended, and is refused to another caller; the logging
 * level the client set through one holds on the others; a shaping
 * continuation issued by one is answered by the other; a console sign-in made through one is
 * honoured by the other until it signs out through either. Needs
 * GATEHOUSE_TEST_PG_URL (`source scripts/services.sh`).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
} from './helpers/harness.ts';
import { dropPgSchemas, freshPgUrl } from './helpers/pg-schema.ts';
import { openSession, post, resultText, toolCall } from './helpers/raw-http.ts';

const VERSION = '2025-11-25';
const KEY_A = 'replica-test-key-alice-0123456789';
const KEY_B = 'replica-test-key-bob-0123456789ab';

async function config(): Promise<string> {
  return `upstreams:
${fixtureUpstreamYaml('alpha')}
auth:
  staticKeys:
    - { key: ${KEY_A}, user: alice, roles: [everyone] }
    - { key: ${KEY_B}, user: bob, roles: [everyone] }
policy:
  groups:
    everything: { allow: [{ tools: ["*"] }] }
  roles:
    everyone: { groups: [everything] }
approvals: { approvers: [everyone] }
storage:
  postgres: { url: ${JSON.stringify(await freshPgUrl('sessions'))} }
`;
}

const as = (key: string, headers: Record<string, string>) => ({ ...headers, authorization: `Bearer ${key}` });

describe('state shared by in-process replicas (storage.postgres)', () => {
  const running: TestGateway[] = [];
  after(async () => {
    await Promise.all(running.map((g) => g.close().catch(() => {})));
    await dropPgSchemas();
  });

  it('serves, survives and ends a session across replicas', async () => {
    const yaml = await config();
    const [a, b] = [await startGateway(yaml), await startGateway(yaml)];
    running.push(a, b);
    const session = await openSession(a.url, VERSION, { authorization: `Bearer ${KEY_A}` });

    // The other replica takes the session up: a call, then a list (the SDK path), then a call on its lane.
    const first = await post(b.url, toolCall(1, 'alpha_echo', { message: 'one' }), as(KEY_A, session));
    assert.equal(first.status, 200, JSON.stringify(first.messages));
    assert.match(resultText(first.messages[0]), /one/);
    const listed = await post(b.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, as(KEY_A, session));
    assert.ok(JSON.stringify(listed.messages).includes('alpha_echo'));

    // Another caller presenting the id is answered as for an unknown session.
    const stranger = await post(b.url, toolCall(3, 'alpha_echo', { message: 'x' }), as(KEY_B, session));
    assert.equal(stranger.status, 404);

    // The replica that opened it goes away; the session goes on.
    await a.close();
    const second = await post(b.url, toolCall(4, 'alpha_echo', { message: 'two' }), as(KEY_A, session));
    assert.match(resultText(second.messages[0]), /two/);

    // Ended through one replica, refused by a fresh one at once.
    const ended = await fetch(b.url, { method: 'DELETE', headers: as(KEY_A, session) });
    assert.equal(ended.status, 200);
    const c = await startGateway(yaml);
    running.push(c);
    const afterEnd = await post(c.url, toolCall(5, 'alpha_echo', { message: 'three' }), as(KEY_A, session));
    assert.equal(afterEnd.status, 404);
    assert.equal(afterEnd.messages[0]?.error?.code, -32001);
  });

  it('holds a logging level set through one replica on the replica serving the next call, and on one started later', async () => {
    const yaml = await config();
    const [a, b] = [await startGateway(yaml), await startGateway(yaml)];
    running.push(a, b);
    const session = await openSession(a.url, VERSION, { authorization: `Bearer ${KEY_A}` });
    const logged = async (url: string, id: number) => {
      const answer = await post(url, toolCall(id, 'alpha_slow_progress', { stepMs: 0 }), as(KEY_A, session));
      assert.equal(answer.status, 200, JSON.stringify(answer.messages));
      return answer.messages.filter((m) => (m as { method?: string }).method === 'notifications/message')
        .length;
    };
    assert.equal(await logged(a.url, 1), 3, 'no level set: every info message comes');
    const set = await post(
      b.url,
      { jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'error' } },
      as(KEY_A, session),
    );
    assert.equal(set.status, 200, JSON.stringify(set.messages));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await logged(a.url, 3), 0, 'A applies the level the client set through B');
    const c = await startGateway(yaml);
    running.push(c);
    assert.equal(await logged(c.url, 4), 0, 'C, taking the session up, replays it');
  });

  it('keeps a session on one replica when storage.postgres is not set (embedded default)', async () => {
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha')}`;
    const [a, b] = [await startGateway(yaml), await startGateway(yaml)];
    running.push(a, b);
    const headers = await openSession(a.url, VERSION);
    const elsewhere = await post(b.url, toolCall(1, 'alpha_echo', { message: 'x' }), headers);
    assert.equal(elsewhere.status, 404);
  });

  it('answers a continuation issued by another replica, also after that one stopped', async () => {
    const server = fileURLToPath(new URL('./fixtures/shaping-server.ts', import.meta.url));
    const yaml = `upstreams:
${stdioUpstreamYaml('crm', server, { SHAPING: '1' })}
    shaping:
      - tools: [list_tickets]
        tokenBudget: 300
storage:
  postgres: { url: ${JSON.stringify(await freshPgUrl('continuations'))} }
`;
    const [a, b] = [await startGateway(yaml), await startGateway(yaml)];
    running.push(a, b);
    const onA = await connectClient(a.url, 'modern');
    const onB = await connectClient(b.url, 'modern');
    try {
      const args = { customer: 'acme', count: 40 };
      type Page = { structuredContent?: { tickets: { id: string }[] }; _meta?: Record<string, unknown> };
      const cursorOf = (page: Page) =>
        (page._meta?.['dev.gatehouse/shaping'] as { continuation?: string } | undefined)?.continuation;
      const first = (await onA.callTool({ name: 'crm_list_tickets', arguments: args })) as Page;
      const cursor = cursorOf(first);
      assert.ok(cursor, 'the first page is cut by the budget');
      const seen = (first.structuredContent?.tickets ?? []).map((t) => t.id);
      await a.close();
      let next: string | undefined = cursor;
      while (next !== undefined) {
        const page = (await onB.callTool({
          name: 'crm_list_tickets',
          arguments: { ...args, continuation: next },
        })) as Page;
        assert.ok(page.structuredContent, JSON.stringify(page).slice(0, 300));
        seen.push(...page.structuredContent.tickets.map((t) => t.id));
        next = cursorOf(page);
      }
      assert.equal(
        new Set(seen).size,
        40,
        'every ticket once, the rest from the replica that did not issue the cursor',
      );
    } finally {
      await Promise.all([onA.close().catch(() => {}), onB.close()]);
    }
  });

  it('keeps a console sign-in across replicas, and a sign-out through one holds on all', async () => {
    const yaml = await config();
    const [a, b] = [await startGateway(yaml), await startGateway(yaml)];
    running.push(a, b);
    const consoleOf = (g: TestGateway) => new URL('/console', g.url).toString();
    const signIn = await fetch(`${consoleOf(a)}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: KEY_A, next: '/console/approvals' }),
      redirect: 'manual',
    });
    assert.equal(signIn.status, 303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^gatehouse_console=/);
    const page = (g: TestGateway) =>
      fetch(`${consoleOf(g)}/approvals`, { headers: { cookie }, redirect: 'manual' });
    const onB = await page(b);
    assert.equal(onB.status, 200, 'the other replica knows the sign-in');
    const html = await onB.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(csrf, 'the page carries the session’s CSRF token');
    const out = await fetch(`${consoleOf(b)}/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
      redirect: 'manual',
    });
    assert.equal(out.status, 303);
    const onA = await page(a);
    assert.equal(onA.status, 303, 'signed out on the replica that signed in, too');
    assert.match(onA.headers.get('location') ?? '', /\/console\/login/);
  });
});
