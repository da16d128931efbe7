/**
 * The gateway's one lenient coercion (an integer sent where a string is declared) and the
 * renaming of an upstream's tool name in its error results, case by case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '@modelcontextprotocol/server';
import { wireError } from '../src/errors/wire.ts';
import { coerceIdArguments, errorInCallerTerms, inCallerTerms } from '../src/relay/caller-terms.ts';

const schema = {
  type: 'object',
  properties: {
    customer: { type: 'string' },
    optionalId: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    limit: { type: 'integer' },
    either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
  },
};

describe('coerceIdArguments', () => {
  it('turns a safe integer sent for a string into its decimal text', () => {
    assert.deepEqual(coerceIdArguments({ customer: 9100516026, optionalId: 7 }, schema), {
      customer: '9100516026',
      optionalId: '7',
    });
  });

  it('leaves numbers where numbers are allowed, and values that lost digits', () => {
    const args = { limit: 5, either: 3, customer: 1.1 };
    assert.equal(coerceIdArguments(args, schema), args);
    const big = { customer: 2 ** 60 };
    assert.equal(coerceIdArguments(big, schema), big, 'past 2^53 the digits are already lost');
  });

  it('leaves undeclared arguments and schemas without properties alone', () => {
    const args = { other: 12 };
    assert.equal(coerceIdArguments(args, schema), args);
    const loose = { customer: 1 };
    assert.equal(coerceIdArguments(loose, { type: 'object' }), loose);
    assert.equal(coerceIdArguments(loose, undefined), loose);
  });
});

describe('inCallerTerms', () => {
  const failed = (text: string) => ({ isError: true, content: [{ type: 'text', text }] });

  it("replaces the upstream's name for the tool with the called name, as a whole name", () => {
    const out = inCallerTerms(
      failed('Invalid arguments for tool search_docs: query: required. search_docs failed.'),
      'search_docs',
      'knowledge_search_docs',
    );
    assert.deepEqual(out.content, [
      {
        type: 'text',
        text: 'Invalid arguments for tool knowledge_search_docs: query: required. knowledge_search_docs failed.',
      },
    ]);
    const inside = failed('see search_docs_v2 and knowledge_search_docs');
    assert.equal(inCallerTerms(inside, 'search_docs', 'knowledge_search_docs'), inside);
  });

  it('leaves successful results alone', () => {
    const ok = { content: [{ type: 'text', text: 'search_docs found 3' }] };
    assert.equal(inCallerTerms(ok, 'search_docs', 'knowledge_search_docs'), ok);
  });
});

describe('errorInCallerTerms', () => {
  it("renames the upstream's tool or prompt where the message calls it one, keeping code and data", () => {
    const upstream = new ProtocolError(-32602, 'Invalid arguments for prompt greet: who: required', { x: 1 });
    const renamed = errorInCallerTerms(upstream, 'greet', 'alpha_greet') as ProtocolError;
    assert.equal(renamed.message, 'Invalid arguments for prompt alpha_greet: who: required');
    assert.equal(renamed.code, -32602);
    assert.deepEqual(renamed.data, { x: 1 });
    const quoted = errorInCallerTerms(
      new ProtocolError(-32602, "Tool 'echo' not found"),
      'echo',
      'alpha_echo',
    );
    assert.equal((quoted as Error).message, "Tool 'alpha_echo' not found");
  });

  it("leaves the gateway's own errors about upstreams alone", () => {
    const own = wireError('UpstreamUnavailable', 'upstream "echo" failed: HTTP 502');
    assert.equal(errorInCallerTerms(own, 'echo', 'echo_echo'), own);
    const plain = new Error('tool echo broke');
    assert.equal(
      errorInCallerTerms(plain, 'echo', 'alpha_echo'),
      plain,
      'no JSON-RPC code: not an upstream answer',
    );
  });
});
