/**
 * A result's JSON is serialized and encoded to UTF-8 once (pipeline/result-json.ts): the audit
 * digest counts and hashes those bytes and the call lane sends them inside the JSON-RPC envelope.
 * The bytes must be exactly the UTF-8 of the text the SDK path would send, non-Latin-1 text and
 * escaped lone surrogates included.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { GatewayRequest } from '../src/pipeline/context.ts';
import { resultBytes, resultJson } from '../src/pipeline/result-json.ts';
import { buildAuditEvent } from '../src/stages/audit.ts';
import { legacyResultBody } from '../src/transport/call-lane-encode.ts';

const result = {
  content: [{ type: 'text', text: 'Northwind Outfitters — fleet order, 12 × Ridge Tent, 😀, lone \ud800' }],
  structuredContent: { dealname: 'Café — 北京', amount: 1042.5 },
};

describe('result bytes', () => {
  it('are the UTF-8 of the result JSON, made once per result object', () => {
    const bytes = resultBytes(result);
    assert.deepEqual(bytes, Buffer.from(JSON.stringify(result), 'utf8'));
    assert.equal(resultBytes(result), bytes, 'the same Buffer on the second call');
    assert.equal(bytes.toString('utf8'), resultJson(result));
  });

  it('frame a 2025-era answer as the string encoding would, for any id', () => {
    for (const id of [7, 'req-"quoted"', 0]) {
      const expected = `{"result":${JSON.stringify(result)},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
      const body = legacyResultBody(id, result);
      assert.deepEqual(body, Buffer.from(expected, 'utf8'));
      assert.deepEqual(JSON.parse(body.toString('utf8')), { result, jsonrpc: '2.0', id });
    }
  });

  it('give the audit the size and SHA-256 of exactly the bytes sent', () => {
    const request = {
      id: 'r1',
      trace: undefined,
      principal: undefined,
      transport: 'http',
      era: 'legacy',
      sessionId: 's1',
      method: 'tools/call',
      params: { name: 'crm_get_deal', arguments: {} },
      trail: {},
      startedAt: performance.now(),
    } as unknown as GatewayRequest;
    const sent = Buffer.from(JSON.stringify(result), 'utf8');
    const event = buildAuditEvent(request, { kind: 'result', result }, new Date().toISOString());
    assert.equal(event.resultBytes, sent.length);
    assert.equal(event.resultHash, createHash('sha256').update(sent).digest('hex'));
  });
});
