/**
 * Every command answers `--help` (its own usage, exit 0, nothing on stderr), and a mistake in a
 * call is one line on stderr with a non-zero exit — never a stack trace or the whole usage.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { type CliRun, gatehouseCli } from './helpers/child-gateway.ts';
import { OPEN_ACCESS_YAML } from './helpers/harness.ts';

const COMMANDS = [
  'serve',
  'stdio',
  'check',
  'keys',
  'explain',
  'catalog',
  'audit',
  'approvals',
  'pins',
  'sandbox',
  'demo',
  'connect',
  'certs',
  'lantern',
];

/** Runs the CLI in an empty directory with no GATEHOUSE_CONFIG (nothing to discover). */
function gatehouse(args: string[]): Promise<CliRun> {
  const cwd = makeTempDir('gatehouse-help-');
  const env = { ...process.env };
  delete env.GATEHOUSE_CONFIG;
  return gatehouseCli(args, { cwd, env, timeoutMs: 30_000 });
}

function config(): string {
  const dir = makeTempDir('gatehouse-help-');
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, `storage: { path: ${JSON.stringify(join(dir, 'g.db'))} }\n${OPEN_ACCESS_YAML}`);
  return file;
}

describe('gatehouse <command> --help', () => {
  for (const command of COMMANDS) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      for (const flag of ['--help', '-h']) {
        const run = await gatehouse([command, flag]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr, '');
        assert.match(run.stdout, new RegExp(`^Usage:\\n {2}gatehouse ${command} `));
        assert.match(run.stdout, /-h, --help/);
      }
    });
  }

  it('gatehouse --help and `gatehouse help <command>` print the usage', async () => {
    const all = await gatehouse(['--help']);
    assert.equal(all.status, 0);
    for (const command of COMMANDS) assert.ok(all.stdout.includes(`gatehouse ${command} `), command);
    assert.match(all.stdout, /--config <file>, else \$GATEHOUSE_CONFIG, else \.\/gatehouse\.yaml/);
    const one = await gatehouse(['help', 'explain']);
    assert.equal(one.status, 0);
    assert.match(one.stdout, /^Usage:\n {2}gatehouse explain /);
  });
});

describe('a mistake is one line', () => {
  const file = config();
  const cases: [string[], number, string][] = [
    [['serve', '--port', 'abc', '--config', file], 2, 'gatehouse serve: --port must be 0-65535, found abc'],
    [
      ['stdio', 'extra', '--config', file],
      2,
      'gatehouse stdio: unexpected argument: extra (see gatehouse stdio --help)',
    ],
    [
      ['check', '--config', '/nonexistent/gatehouse.yaml'],
      2,
      "/nonexistent/gatehouse.yaml: (file): cannot read: ENOENT: no such file or directory, open '/nonexistent/gatehouse.yaml' [CONFIG_NOT_FOUND]",
    ],
    [['keys', 'frob', '--config', file], 2, 'gatehouse keys: keys needs one of: create, list, revoke'],
    [
      ['explain', '--as', 'nobody', '--tool', 'x', '--config', file],
      2,
      'gatehouse explain: no active API key for user "nobody"; pass --roles',
    ],
    [['catalog', '--config', file], 2, 'gatehouse catalog: say who: --as <user> or --roles <a,b>'],
    [
      ['audit', 'bogus', '--config', file],
      2,
      'gatehouse audit: audit needs one of: tail, query, export, verify',
    ],
    [['approvals', 'show', 'nope', '--config', file], 1, 'gatehouse: no approval request nope'],
    [
      ['pins', 'diff', 'nope', '--config', file],
      2,
      "gatehouse pins: pins diff needs <upstream>/<tool> (the upstream's own tool name)",
    ],
    [['pins', 'frob', '--config', file], 2, 'gatehouse pins: pins needs one of: list, diff, approve'],
    [['pins', 'list', 'extra', '--config', file], 2, 'gatehouse pins: unexpected argument: extra'],
    [['pins', 'list', '--by', ' ', '--config', file], 2, 'gatehouse pins: --by needs a name'],
    [
      ['pins', 'approve', '--all', '--hash', 'xyz', '--config', file],
      2,
      'gatehouse pins: --hash takes the pending hash',
    ],
    [
      ['pins', 'approve', 'crm/get', '--all', '--config', file],
      2,
      'gatehouse pins: pins approve takes <upstream>/<tool> or --all, not both',
    ],
    [
      ['pins', 'approve', 'nope', '--config', file],
      2,
      "gatehouse pins: pins approve needs <upstream>/<tool> (the upstream's own tool name)",
    ],
    [['sandbox', '--port', 'abc'], 1, 'gatehouse sandbox: invalid --port abc'],
    [['certs'], 2, 'gatehouse certs: certs needs: dev (see gatehouse certs --help)'],
    [
      ['certs', 'dev', '--days', '0'],
      2,
      'gatehouse certs: --days must be a whole number of days from 1 to 3650, found 0',
    ],
    [
      ['certs', 'dev', '--names', 'gateway,../etc'],
      2,
      'gatehouse certs: --names: "../etc" is not usable as a host name and file name',
    ],
    [['demo', '--bogus'], 2, "gatehouse demo: Unknown option '--bogus'"],
    [
      ['lantern', 'fly'],
      1,
      'gatehouse lantern: unknown lantern command "fly": use serve or token (see --help)',
    ],
    [
      ['connect', '--url', 'notaurl'],
      2,
      'gatehouse connect: --url is not a URL: notaurl (see gatehouse connect --help)',
    ],
    [
      ['catalog', '--as', 'alice'],
      2,
      'gatehouse catalog: no configuration: pass --config <file>, set GATEHOUSE_CONFIG, create ./gatehouse.yaml, or start the demo (./scripts/start.sh)',
    ],
  ];
  for (const [args, status, line] of cases) {
    it(`${args.filter((arg) => arg !== file).join(' ')}`, async () => {
      const run = await gatehouse(args);
      assert.equal(run.status, status, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]?.startsWith(line), `${lines[0]}\n  does not start with\n${line}`);
    });
  }
});

describe('a port already taken', () => {
  it('gatehouse sandbox names who holds it, in one line', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const run = await gatehouse(['sandbox', '--port', String(port)]);
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(
        lines[0]?.startsWith(`gatehouse sandbox: port ${port} is already in use by pid ${process.pid} (`),
        lines[0],
      );
      assert.match(lines[0] ?? '', /choose another with --port \(or GATEHOUSE_SANDBOX_PORT\)/);
    } finally {
      holder.close();
    }
  });
});
