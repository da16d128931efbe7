/**
 * The chat's HTTP routes when used wrongly: no CSRF token, a bad body, a second question while
 * one runs, an answer to no question, a provider that fails — each a clear answer, and the chat
 * keeps working. A client that goes away mid-turn cancels the turn (the model's stream is closed).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type LoopbackModel, startOpenAiLoopback } from '../../host/test/helpers/openai-loopback.ts';
import { type RunningLantern, startLantern } from '../src/server.ts';
import { sqliteDatabases } from './helpers/backends.ts';
import { BOB, PASSWORDS, TEST_PASSWORD } from './helpers/lantern.ts';

const databases = sqliteDatabases();
let model: LoopbackModel;
let lantern: RunningLantern;
let cookie = '';
let csrf = '';

before(async () => {
  model = await startOpenAiLoopback([
    { stall: 'Thinking' },
    { error: { status: 400, message: 'the model refused the request' } },
    { text: 'Back again.' },
  ]);
  lantern = await startLantern({
    database: await databases.fresh(),
    seedPasswords: PASSWORDS,
    logError: () => {},
    chat: {
      provider: 'openai',
      baseUrl: model.baseUrl,
      model: 'scripted',
      env: { OPENAI_API_KEY: 'x' },
      maxSteps: 3,
    },
  });
  const login = await fetch(`${lantern.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email: BOB, password: TEST_PASSWORD }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await (await fetch(`${lantern.url}/chat`, { headers: { cookie } })).text();
  csrf = /data-csrf="([^"]+)"/.exec(page)?.[1] ?? '';
  assert.ok(csrf);
});
after(async () => {
  await lantern?.close();
  await model?.close();
  await databases.cleanup();
});

function post(path: string, body: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf }) {
  return fetch(`${lantern.url}${path}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

it('refuses a post without the CSRF token, and a body without a question', async () => {
  assert.equal((await post('/chat/turn', { message: 'hi' }, {})).status, 403);
  const empty = await post('/chat/turn', { message: '  ' });
  assert.equal(empty.status, 422);
  assert.match(await empty.text(), /1–4000 characters/);
  assert.equal((await post('/chat/turn', 'not json')).status, 422);
  assert.equal((await post('/chat/answer', { id: 'q_nothing', action: 'accept' })).status, 404);
  assert.equal((await post('/chat/answer', { id: 'q_x', action: 'maybe' })).status, 422);
});

it('refuses a second question while one runs, and cancels the turn when the page goes away', async () => {
  const first = await post('/chat/turn', { message: 'Take your time' }, { 'x-csrf-token': csrf });
  const reader = first.body?.getReader();
  // The first event (the stalled model's text) arrives: the turn is running.
  const chunk = await reader?.read();
  assert.match(new TextDecoder().decode(chunk?.value), /"text-delta"/);
  const second = await post('/chat/turn', { message: 'And this?' });
  assert.equal(second.status, 409);
  assert.match(await second.text(), /still being answered/);
  await reader?.cancel();
  // The turn ends (cancelled), so the chat takes the next question.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const next = await post('/chat/turn', { message: 'Now?' });
    if (next.status !== 409) {
      const lines = (await next.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; turn?: { outcome: string; error?: string } });
      const end = lines.find((l) => l.type === 'turn-end');
      assert.equal(end?.turn?.outcome, 'provider-error');
      assert.match(end?.turn?.error ?? '', /the model refused the request/);
      break;
    }
    assert.ok(Date.now() < deadline, 'the cancelled turn did not end');
    await new Promise((r) => setTimeout(r, 100));
  }
  const again = await post('/chat/turn', { message: 'Still there?' });
  assert.match(await again.text(), /Back again\./);
});
