/**
 * `lantern serve` and `lantern token` as processes: a new database prints its users' passwords
 * once (and not on the next start), a token from `lantern token` works on the REST API, and
 * SIGTERM stops the server cleanly. Mistakes are one line and exit 1.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lantern-cli-'));
const database = join(dir, 'lantern.db');
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--database', database], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!/serving (http:\/\/\S+) /.test(output)) {
    assert.ok(Date.now() < deadline, `lantern did not start: ${output}`);
    assert.equal(child.exitCode, null, `lantern exited: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  const url = /serving (http:\/\/\S+) /.exec(output)?.[1] ?? '';
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

it('prints the seeded passwords on a new database only, and stops on SIGTERM', async () => {
  const first = await serve();
  assert.match(first.output(), /bob@northwind\.example {2}\S{12,}/);
  assert.equal(await stop(first.child), 0);
  const second = await serve();
  assert.doesNotMatch(second.output(), /passwords/);
  assert.equal(await stop(second.child), 0);
});

it('issues a token that the REST API accepts', async () => {
  const issued = spawnSync(
    process.execPath,
    [MAIN, 'token', '--email', 'carol@northwind.example', '--database', database],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(issued.status, 0, issued.stderr);
  const token = issued.stdout.trim();
  assert.match(token, /^lnt_[\w-]{40,}$/);
  const server = await serve();
  try {
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await me.json()) as { user: { email: string } }).user.email, 'carol@northwind.example');
  } finally {
    await stop(server.child);
  }
});

it('says in one line what is wrong with a command', () => {
  for (const [args, message] of [
    [
      ['token', '--email', 'nobody@example.com', '--database', database],
      /^lantern: no Lantern user nobody@example\.com\n$/,
    ],
    [['serve', '--port', 'eighty'], /^lantern: invalid --port eighty\n$/],
    [['fly'], /^lantern: unknown lantern command "fly"\n/],
  ] as const) {
    const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, message);
  }
});
