/**
 * The CLI through its real entry point: check (every problem in one pass, at its line), usage
 * errors, `stdio` serving a real client and refusing, before starting anything, a configuration
 * with no principal to act as; `catalog` saying why an upstream is not reachable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { processGone } from './helpers/child-gateway.ts';
import {
  FIXTURE_SERVER,
  fixtureUpstreamYaml,
  OPEN_ACCESS_YAML,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

function gatehouse(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

function writeConfig(text: string): string {
  const dir = makeTempDir('gatehouse-cli-');
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, text);
  return file;
}

describe('gatehouse CLI', () => {
  it('check prints the normalized config', () => {
    const file = writeConfig(
      'server:\n  port: ${CLI_TEST_PORT}\nupstreams:\n  - { name: a, transport: http, url: "http://127.0.0.1:1/mcp" }\n',
    );
    const run = gatehouse(['check', '--config', file], { CLI_TEST_PORT: '7000' });
    assert.equal(run.status, 0, run.stderr);
    const model = JSON.parse(run.stdout) as {
      server: { port: number };
      upstreams: { namespace: { prefix: string } }[];
    };
    assert.equal(model.server.port, 7000);
    assert.equal(model.upstreams[0]?.namespace.prefix, 'a');
  });

  it('check exits 2 and names file, path, line, expectation and finding', () => {
    const file = writeConfig('server:\n  port: "eighty"\n');
    const run = gatehouse(['check', '--config', file]);
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      new RegExp(
        `${file.replaceAll('/', '\\/')}:2:\\d+: server\\.port: .*found "eighty" \\[CONFIG_INVALID\\]`,
      ),
    );
  });

  it('rejects unknown commands and options in one line pointing at --help', () => {
    const unknown = gatehouse(['frobnicate', '--config', writeConfig('{}')]);
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'gatehouse: unknown command: frobnicate (see gatehouse --help)\n');
    const bad = gatehouse(['check', '--bogus']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'gatehouse check: unexpected argument: --bogus (see gatehouse check --help)\n');
  });

  it('check reports every problem in one pass, in file order, each at its own line', () => {
    const file = writeConfig(
      [
        'server:', // 1
        '  port: "eighty"', // 2
        '  prot: 8080', // 3: a misspelt key
        'upstreams:', // 4
        '  - { name: a, transport: http, url: "http://127.0.0.1:1/mcp", timeoutMs: "${CLI_TEST_UNSET}" }', // 5
        '  - { name: a, transport: http, url: "http://127.0.0.1:2/mcp" }', // 6
        'policy:', // 7
        '  groups:', // 8
        '    read: { allow: [{ tools: ["*"] }] }', // 9
        '  roles:', // 10
        '    sales:', // 11
        '      groups: [read, deals]', // 12
        'rateLimits:', // 13
        '  rules:', // 14
        '    - { name: r, per: [principal], limit: 1, windowSec: 60, upstreams: [b] }', // 15
        '',
      ].join('\n'),
    );
    const run = gatehouse(['check', '--config', file]);
    assert.equal(run.status, 2);
    const lines = run.stderr.trimEnd().split('\n');
    const at = (line: number, rest: string) => `${file}:${line}:${rest}`;
    assert.deepEqual(lines, [
      at(2, '9: server.port: expected a number; found "eighty" [CONFIG_INVALID]'),
      at(3, '3: server.prot: unknown key "prot" [CONFIG_INVALID]'),
      at(
        5,
        '75: upstreams[0].timeoutMs: expected environment variable CLI_TEST_UNSET to be set (or a default: ${CLI_TEST_UNSET:-value}); found unset [CONFIG_ENV_MISSING]',
      ),
      at(6, '13: upstreams[1].name: duplicate upstream name "a" (also upstreams[0]) [CONFIG_COLLISION]'),
      at(
        6,
        '5: upstreams[1].prefix: namespace "a_" is already used by upstreams[0] ("a") [CONFIG_COLLISION]',
      ),
      at(
        12,
        '22: policy.roles.sales.groups[1]: unknown permission group "deals" (defined: read) [CONFIG_REFERENCE]',
      ),
      at(
        15,
        '73: rateLimits.rules[0].upstreams[0]: unknown upstream "b" (configured: a, a) [CONFIG_REFERENCE]',
      ),
      `7 problem(s) in ${file}`,
    ]);
  });

  it('check does not call a reference unknown when it names an upstream the schema refused', () => {
    const file = writeConfig(
      'upstreams:\n  - { name: b, transport: http }\nrateLimits:\n  rules:\n    - { name: r, per: [principal], limit: 1, windowSec: 60, upstreams: [b] }\n',
    );
    const run = gatehouse(['check', '--config', file]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `${file}:2:5: upstreams[0].url: required (expected string); found nothing [CONFIG_INVALID]\n`,
    );
  });

  it('stdio serves a client through the same pipeline', async () => {
    const file = writeConfig(
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}\nstorage: { path: ${JSON.stringify(tempStorage())} }\n`,
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio', '--config', file],
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'ignore',
    });
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('alpha_echo'));
      const result = await client.callTool({ name: 'alpha_echo', arguments: { message: 'via stdio' } });
      assert.equal(textOf(result), 'alpha: via stdio');
      await assert.rejects(
        client.callTool({ name: 'missing', arguments: {} }),
        (e: { code?: number }) => e.code === -32602,
      );
    } finally {
      await client.close();
    }
  });

  it('stdio refuses a config with no principal in one line, before starting any upstream', async () => {
    const dir = makeTempDir('gatehouse-cli-');
    const pidFile = join(dir, 'upstream.pid');
    const script = join(dir, 'upstream.mjs');
    // An upstream that records its pid as soon as it starts, then serves MCP.
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nawait import(${JSON.stringify(FIXTURE_SERVER)});\n`,
    );
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(
      file,
      `storage: { path: ${JSON.stringify(join(dir, 'g.db'))} }\nupstreams:\n  - { name: u, transport: stdio, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(script)}] }\n`,
    );
    const check = gatehouse(['check', '--config', file]);
    assert.equal(check.status, 0, 'the file is valid for serve');
    assert.equal(
      check.stderr,
      `${file}: warning: auth.stdio is not set: \`gatehouse stdio\` will refuse to start (serve is unaffected)\n`,
    );
    const run = gatehouse(['stdio', '--config', file]);
    let orphan: number | undefined;
    try {
      assert.equal(run.status, 2);
      assert.equal(
        run.stderr,
        `gatehouse stdio: ${file}: auth.stdio is not set, and stdio needs a principal to act as: set auth.stdio: { user, org, roles } (or auth.anonymous)\n`,
      );
      if (existsSync(pidFile)) orphan = Number(readFileSync(pidFile, 'utf8'));
      assert.equal(orphan, undefined, 'no upstream was started');
    } finally {
      if (orphan !== undefined && !processGone(orphan)) process.kill(orphan, 'SIGKILL');
    }
  });

  it('catalog says why each upstream is not reachable', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const file = writeConfig(
      `storage: { path: ${JSON.stringify(tempStorage())} }
upstreams:
  - { name: refused, transport: http, url: "http://127.0.0.1:${closedPort}/mcp" }
  - { name: nocommand, transport: stdio, command: gatehouse-no-such-command }
  - { name: missing, transport: stdio, command: ${JSON.stringify(process.execPath)}, args: [/nonexistent/hr-server.js] }
${fixtureUpstreamYaml('alpha')}
${OPEN_ACCESS_YAML}`,
    );
    const run = gatehouse(['catalog', '--roles', 'everyone', '--config', file]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.includes('  alpha_echo'), run.stdout);
    const unreachable = run.stdout.slice(run.stdout.indexOf('not reachable now'));
    const lines = unreachable.trimEnd().split('\n');
    assert.equal(lines[0], 'not reachable now (3):');
    assert.match(
      lines[1] ?? '',
      new RegExp(`^  refused: .*connection refused \\(127\\.0\\.0\\.1:${closedPort}\\)$`),
    );
    assert.match(
      lines[2] ?? '',
      /^ {2}nocommand: .*the process exited with code 127 before the MCP handshake completed; stderr: .*gatehouse-no-such-command: No such file or directory$/,
    );
    assert.match(
      lines[3] ?? '',
      /^ {2}missing: .*the process exited with code 1 before the MCP handshake completed; stderr: Error: Cannot find module '\/nonexistent\/hr-server\.js'$/,
    );
    const json = gatehouse(['catalog', '--roles', 'everyone', '--json', '--config', file]);
    const seen = JSON.parse(json.stdout) as { unreachable: { name: string; reason: string }[] };
    assert.deepEqual(
      seen.unreachable.map((u) => u.name),
      ['refused', 'nocommand', 'missing'],
    );
  });
});
