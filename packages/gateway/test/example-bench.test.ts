/**
 * examples/bench/gatehouse.yaml is self-checking: started through the CLI exactly as its header
 * says (UPSTREAM_CMD, PORT, GATEHOUSE_BENCH_KEY, GATEHOUSE_DATA_DIR), it serves the upstream's
 * tools under their own names to the bench key only, and audits every call.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import { connectClient, FIXTURE_SERVER, textOf, waitFor } from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../../examples/bench/gatehouse.yaml', import.meta.url));

describe('examples/bench/gatehouse.yaml', () => {
  const key = 'bench-key-0123456789abcdef0123456789';
  const dataDir = makeTempDir('gatehouse-bench-example-');
  let child: ChildProcess;
  let url: string;

  before(async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--config', CONFIG], {
      env: {
        ...process.env,
        UPSTREAM_CMD: `${JSON.stringify(process.execPath)} ${JSON.stringify(FIXTURE_SERVER)}`,
        FIXTURE_NAME: 'bench',
        PORT: '0',
        GATEHOUSE_BENCH_KEY: key,
        GATEHOUSE_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /Gatehouse MCP endpoint: (\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`gateway exited (${code})`)));
    });
  });

  after(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  });

  it('serves the upstream tools under their own names to the bench key, in both eras', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await connectClient(url, era, undefined, {}, { authorization: `Bearer ${key}` });
      try {
        // The endpoint is printed as soon as it listens; the stdio upstream connects right after.
        await waitFor(
          async () => (await client.listTools()).tools.some((t) => t.name === 'echo'),
          20_000,
          'echo',
        );
        const result = await client.callTool({ name: 'echo', arguments: { message: `hello ${era}` } });
        assert.match(textOf(result), new RegExp(`hello ${era}`));
      } finally {
        await client.close();
      }
    }
  });

  it('refuses any other key with 401', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${key}x`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(response.status, 401);
  });

  it('audits the calls with the static key principal and the policy decision', async () => {
    await (await openCommittedAudit(join(dataDir, 'gatehouse.db'))).close();
    const db = new DatabaseSync(join(dataDir, 'gatehouse.db'), { readOnly: true });
    try {
      const rows = db
        .prepare("SELECT principal_id AS principal, decision FROM audit_log WHERE method = 'tools/call'")
        .all() as { principal: string; decision: string }[];
      assert.equal(rows.length, 2);
      assert.ok(
        rows.every((r) => r.principal === 'static:bench' && r.decision === 'allow'),
        JSON.stringify(rows),
      );
    } finally {
      db.close();
    }
  });
});
