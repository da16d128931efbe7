/**
 * Smoke test of bench/knowledge-recall.ts: `--smoke` (the first 10 held-out questions) runs to
 * completion and prints the recall figures. No threshold: the figures are measured, not asserted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('bench/knowledge-recall.ts --smoke prints recall@1, recall@5 and MRR', async () => {
  const env = { ...process.env };
  for (const key of ['EMBEDDINGS_BASE_URL', 'EMBEDDINGS_API_KEY', 'EMBEDDINGS_MODEL', 'KNOWLEDGE_DOCS_DIR'])
    delete env[key];
  const { stdout } = await run(process.execPath, ['bench/knowledge-recall.ts', '--smoke'], {
    env,
    timeout: 120_000,
  });
  assert.match(stdout, /10 of \d+ held-out questions/);
  const overall =
    /^overall\s+recall@1 (\d\.\d{3}) \((\d+)\/10\)\s+recall@5 (\d\.\d{3}) \((\d+)\/10\)\s+MRR (\d\.\d{3})/m.exec(
      stdout,
    );
  assert.ok(overall, stdout);
  const [, r1, hits1, r5, hits5, mrr] = overall.map(Number);
  assert.equal(r1, (hits1 ?? 0) / 10);
  assert.equal(r5, (hits5 ?? 0) / 10);
  assert.ok((hits1 ?? 0) <= (hits5 ?? 0) && (mrr ?? 0) >= (r1 ?? 0) && (mrr ?? 0) <= (r5 ?? 0));
  for (const category of ['runbooks', 'adr', 'docs'])
    assert.match(stdout, new RegExp(`^${category}\\s+(recall@1|\\(no questions\\))`, 'm'));
  assert.match(stdout, /^misses \(\d+\):/m);
});
