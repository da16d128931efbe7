/**
 * bench/console-audit.ts run tiny so it cannot rot (never timed here): it fills a store, verifies
 * the chain it wrote, signs in to the console and lists every filter with at least one record.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';

it('console-audit fills a store, signs in and times every filter of the audit page', async () => {
  const { code, out } = await runScript(['bench/console-audit.ts', '--smoke']);
  assert.equal(code, 0, out);
  assert.match(out, /chain verified: 20000 records/);
  assert.match(out, /\| text: one deal id \| `text=D-\d+` \| [12] \|/);
  assert.match(out, /Audit page first results at 20,000 records/);
});
