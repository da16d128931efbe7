/**
 * `lantern serve`'s automation flags as a user meets them: the start-up says whether the health
 * watch is on (as whom, in which org, through which gateway, how often) without ever printing its
 * key, and a mistake is one line and exit 1.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = makeTempDir('lantern-automation-cli-');
const database = join(dir, 'lantern.db');
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'ghk_automation-key-not-to-be-printed';

/** `lantern serve` until it says what it does about the automation; then SIGTERM. */
async function startupOutput(extra: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const args = [MAIN, 'serve', '--port', '0', '--internal-port', '0', '--database', database, ...extra];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  try {
    while (!/lantern: automation: .*\n/.test(output)) {
      assert.ok(Date.now() < deadline, `lantern did not start: ${output}`);
      assert.equal(child.exitCode, null, `lantern exited: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return output;
}

it('says the automation is off without --automation-gateway, and how to turn it on', async () => {
  const output = await startupOutput([], process.env);
  assert.match(
    output,
    /lantern: automation: off \(start with --automation-gateway URL and LANTERN_AUTOMATION_KEY to turn it on\)\n/,
  );
});

it('says who the automation acts as, where and how often, never its key', async () => {
  const output = await startupOutput(
    [
      '--automation-gateway',
      'http://127.0.0.1:9/mcp',
      '--automation-org',
      'contoso',
      '--automation-interval',
      '300',
    ],
    { ...process.env, LANTERN_AUTOMATION_KEY: KEY },
  );
  assert.match(
    output,
    /lantern: automation: automation:health-watch in contoso checks service health through http:\/\/127\.0\.0\.1:9\/mcp, every 300 s\n/,
  );
  assert.doesNotMatch(output, /automation-key-not-to-be-printed/);
});

it('says in one line what is wrong with the automation flags', () => {
  const withKey = { ...process.env, LANTERN_AUTOMATION_KEY: KEY };
  const noKey = { ...process.env, LANTERN_AUTOMATION_KEY: '' };
  for (const [args, env, message] of [
    [
      ['--automation-org', 'northwind'],
      withKey,
      /^lantern: --automation-org needs --automation-gateway URL\n$/,
    ],
    [
      ['--automation-gateway', 'http://127.0.0.1:9/mcp'],
      noKey,
      /^lantern: --automation-gateway needs the automation's gateway key in LANTERN_AUTOMATION_KEY\n$/,
    ],
    [
      ['--automation-gateway', 'http://127.0.0.1:9/mcp', '--automation-interval', 'soon'],
      withKey,
      /^lantern: invalid --automation-interval soon \(seconds; 0 runs only on demand\)\n$/,
    ],
    [
      ['--automation-gateway', 'not a url', '--database', database],
      withKey,
      /^lantern: invalid automation configuration: gateway\.url: .*\n$/,
    ],
  ] as const) {
    const run = spawnSync(process.execPath, [MAIN, 'serve', '--port', '0', '--internal-port', '0', ...args], {
      encoding: 'utf8',
      env,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /automation-key-not-to-be-printed/);
  }
});
