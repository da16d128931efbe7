/**
 * bench/customer-tokens.ts must not rot: a `--smoke` run (three customers) finishes, exits 0 —
 * every profile agreed with the raw API responses and the median ratio met its target — and
 * prints the tokenizer and the ratio lines. The figures themselves are never asserted here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';

describe('customer token bench smoke', () => {
  it('runs three customers through raw APIs and the gateway and prints the ratio', async () => {
    const { code, out } = await runScript(['bench/customer-tokens.ts', '--smoke']);
    assert.equal(code, 0, out);
    assert.match(out, /tokenizer o200k_base/);
    assert.match(out, /ratio profile\/raw: \d+(\.\d)?%/);
    assert.match(out, /ratio profile\/record tools: /);
    assert.match(out, /field agreement: 3\/3/);
    assert.match(out, /^PASS: median profile\/raw ratio/m);
  });

  it('rejects a bad option', async () => {
    const { code, out } = await runScript(['bench/customer-tokens.ts', '--customers', 'many']);
    assert.notEqual(code, 0);
    assert.match(out, /--customers must be a positive integer/);
  });
});
