/**
 * Hostile JSON at the HTTP edge: bodies nested far deeper than any real message, or holding more
 * elements than allowed, are refused with 400 and -32600 naming the limit — before anything walks
 * them recursively — in both protocol eras and through both HTTP drivers (the call lane, and the
 * SDK path with `server.callLane: false`). After every refusal the gateway still answers a normal
 * tools/call in both eras.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonBoundsViolation } from '../src/transport/json-bounds.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';
import {
  type Exchange,
  MODERN_ENVELOPE,
  modernToolCall,
  openSession,
  post,
  resultText,
  toolCall,
} from './helpers/raw-http.ts';

const MAX_ELEMENTS = 1000;
const DEFAULT_DEPTH = 64;
const upstream = `upstreams:\n${fixtureUpstreamYaml('alpha')}`;

/** A tools/call body (2026-07-28 when `modern`) whose arguments carry `extra` as raw JSON text. */
function callWithRawArgument(id: number, extra: string, modern: boolean): string {
  const meta = modern ? `,"_meta":${JSON.stringify(MODERN_ENVELOPE)}` : '';
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"alpha_echo","arguments":{"message":"x","extra":${extra}}${meta}}}`;
}

function nestedObjects(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

function nestedArrays(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** The arguments object is level 3 of the message, so `extra` nested k levels makes it 3 + k deep. */
const EXTRA_LEVELS_AT_DEFAULT_LIMIT = DEFAULT_DEPTH - 3;

const MODERN_HEADERS = {
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'alpha_echo',
};

function assertRefused(answer: Exchange, limit: RegExp): void {
  assert.equal(answer.status, 400);
  assert.equal(answer.messages.length, 1);
  const [message] = answer.messages;
  assert.equal(message?.id, null);
  assert.equal(message?.error?.code, -32600);
  assert.match(message?.error?.message ?? '', /^Invalid Request: /);
  assert.match(message?.error?.message ?? '', limit);
}

describe('JSON bounds (unit)', () => {
  const bounds = { maxDepth: 4, maxElements: 5 };
  it('allows exactly the maximum depth and refuses one level more', () => {
    assert.equal(jsonBoundsViolation('[[[[]]]]', bounds), undefined);
    assert.match(jsonBoundsViolation('[[[[{}]]]]', bounds) ?? '', /deeper than 4 levels/);
  });
  it('counts array items and object members, not empty containers', () => {
    assert.equal(jsonBoundsViolation('{"a":[1,2,{}],"b":[]}', bounds), undefined, '2 members + 3 items');
    assert.equal(jsonBoundsViolation('[1,2,3,4,5]', bounds), undefined);
    assert.match(jsonBoundsViolation('[1,2,3,4,5,6]', bounds) ?? '', /more than 5 array items/);
    assert.match(jsonBoundsViolation('{"a":[1,2],"b":[3,4]}', bounds) ?? '', /more than 5/);
  });
  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ s: `[[[[[[,,,,,,\\"{{{{{{"]]` });
    assert.equal(jsonBoundsViolation(inString, bounds), undefined);
    assert.match(
      jsonBoundsViolation(`["\\\\",[[[[]]]]]`, bounds) ?? '',
      /deeper/,
      'an escaped backslash ends',
    );
  });
});

for (const lane of [true, false]) {
  describe(`hostile JSON over HTTP (${lane ? 'call lane' : 'SDK path, callLane: false'})`, () => {
    let gw: TestGateway;
    before(async () => {
      gw = await startGateway(`server: { callLane: ${lane}, maxJsonElements: ${MAX_ELEMENTS} }\n${upstream}`);
    });
    after(() => gw.close());

    /** A normal tools/call still works, in both eras. */
    async function stillServing(): Promise<void> {
      const modern = modernToolCall(90, 'alpha_echo', { message: 'still here' });
      assert.equal(
        resultText((await post(gw.url, modern.body, modern.headers)).messages[0]),
        'alpha: still here',
      );
      const session = await openSession(gw.url, '2025-11-25');
      const legacy = await post(gw.url, toolCall(91, 'alpha_echo', { message: 'still here' }), session);
      assert.equal(resultText(legacy.messages.at(-1)), 'alpha: still here');
    }

    for (const [shape, deep] of [
      ['objects', nestedObjects(100_000)],
      ['arrays', nestedArrays(100_000)],
    ] as const) {
      it(`2026-07-28: arguments nested 100,000 levels of ${shape} get -32600 naming the limit`, async () => {
        const answer = await post(gw.url, callWithRawArgument(1, deep, true), MODERN_HEADERS);
        assertRefused(answer, /deeper than 64 levels \(server\.maxJsonDepth\)/);
        await stillServing();
      });

      it(`2025-11-25 session: arguments nested 100,000 levels of ${shape} get -32600; the session goes on`, async () => {
        const session = await openSession(gw.url, '2025-11-25');
        const answer = await post(gw.url, callWithRawArgument(2, deep, false), session);
        assertRefused(answer, /deeper than 64 levels \(server\.maxJsonDepth\)/);
        const next = await post(gw.url, toolCall(3, 'alpha_echo', { message: 'same session' }), session);
        assert.equal(resultText(next.messages.at(-1)), 'alpha: same session');
        await stillServing();
      });
    }

    it('a message exactly at the default depth reaches the upstream; one level more does not', async () => {
      const atLimit = nestedObjects(EXTRA_LEVELS_AT_DEFAULT_LIMIT);
      const accepted = await post(gw.url, callWithRawArgument(4, atLimit, true), MODERN_HEADERS);
      assert.equal(resultText(accepted.messages[0]), 'alpha: x');
      const over = nestedObjects(EXTRA_LEVELS_AT_DEFAULT_LIMIT + 1);
      assertRefused(await post(gw.url, callWithRawArgument(5, over, true), MODERN_HEADERS), /maxJsonDepth/);
      await stillServing();
    });

    it('more array items and object members than server.maxJsonElements get -32600, in both eras', async () => {
      const many = JSON.stringify(Array.from({ length: MAX_ELEMENTS + 1 }, () => 0));
      const modern = await post(gw.url, callWithRawArgument(6, many, true), MODERN_HEADERS);
      assertRefused(modern, /more than 1000 array items and object members \(server\.maxJsonElements\)/);
      const session = await openSession(gw.url, '2025-11-25');
      assertRefused(await post(gw.url, callWithRawArgument(7, many, false), session), /maxJsonElements/);
      const fewer = JSON.stringify(Array.from({ length: MAX_ELEMENTS / 2 }, () => 0));
      const accepted = await post(gw.url, callWithRawArgument(8, fewer, true), MODERN_HEADERS);
      assert.equal(resultText(accepted.messages[0]), 'alpha: x');
      await stillServing();
    });

    it('brackets inside a string argument are not nesting', async () => {
      const message = `${'['.repeat(5000)}"${'{'.repeat(5000)}`;
      const call = modernToolCall(9, 'alpha_echo', { message });
      assert.equal(
        resultText((await post(gw.url, call.body, call.headers)).messages[0]),
        `alpha: ${message}`,
      );
    });
  });
}
