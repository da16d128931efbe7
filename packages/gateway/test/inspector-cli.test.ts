/**
 * The official MCP Inspector CLI (`@modelcontextprotocol/inspector`, a root devDependency) as a
 * real client of the gateway, once per `--protocol-era` of the CLI. The gateway fronts three
 * upstreams at once: the stdio fixture server twice (`alpha`, `beta`) and the project's
 * conformance server over Streamable HTTP (prefix `conf`).
 *
 * Each check is one CLI process (`--format json` prints `{"result": …}` on success); a failure
 * reports the command line, exit code, stdout and stderr of the CLI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import {
  type ConformanceHttpServer,
  startConformanceHttpServer,
} from '../../conformance-server/src/index.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';

/** The Inspector's CLI client (what `mcp-inspector --cli` dispatches to). */
const INSPECTOR_CLI = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
);

const CLI_TIMEOUT_MS = 20_000;
/** The CLI's exit code for a tool result with `isError: true`. */
const TOOL_ERROR_EXIT = 5;

/** `--protocol-era` values of the CLI, with the protocol version each must negotiate here. */
const ERAS = [
  { era: 'legacy', protocolVersion: '2025-11-25' },
  { era: 'modern', protocolVersion: '2026-07-28' },
  { era: 'auto', protocolVersion: '2026-07-28' },
] as const;
type CliEra = (typeof ERAS)[number]['era'];

const CONF_SIMPLE_TEXT = 'This is a simple text response for testing.';
const CONF_STATIC_TEXT = 'This is the content of the static text resource.';

interface TextBlock {
  type: string;
  text?: string;
}
interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
}
interface CliResult {
  protocolVersion?: string;
  serverInfo?: { name: string };
  tools?: { name: string }[];
  content?: TextBlock[];
  contents?: ResourceContents[];
  messages?: { role: string; content: TextBlock }[];
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

interface CliRun {
  result: CliResult;
  stderr: string;
}

function describeRun(args: string[], code: unknown, signal: unknown, stdout: string, stderr: string): string {
  return [
    `inspector CLI failed: ${args.join(' ')}`,
    `exit code: ${String(code)}, signal: ${String(signal)}`,
    `stdout: ${stdout || '(empty)'}`,
    `stderr: ${stderr || '(empty)'}`,
  ].join('\n');
}

describe('MCP Inspector CLI against the gateway (two stdio upstreams + one HTTP upstream)', () => {
  let conformance: ConformanceHttpServer;
  let gw: TestGateway;
  let home: string;

  before(async () => {
    home = makeTempDir('gatehouse-inspector-');
    conformance = await startConformanceHttpServer({ port: 0, host: '127.0.0.1' });
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
${fixtureUpstreamYaml('beta')}
  - name: conformance
    transport: http
    url: ${JSON.stringify(conformance.url)}
    prefix: conf
`);
  });

  after(async () => {
    await gw?.close();
    await conformance?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /**
   * Runs one CLI invocation against the gateway and returns its parsed `result`. A tool result
   * with `isError` makes the CLI exit with 5; `toolError` accepts that exit when it is expected.
   */
  function inspect(era: CliEra, args: string[], toolError = false): Promise<CliRun> {
    const argv = [
      INSPECTOR_CLI,
      '--server-url',
      gw.url,
      '--transport',
      'http',
      '--protocol-era',
      era,
      '--format',
      'json',
      '--connect-timeout',
      '10000',
      ...args,
    ];
    // The CLI keeps its catalog and storage under ~/.mcp-inspector: point it at a scratch HOME.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      MCP_CATALOG_PATH: join(home, 'mcp.json'),
      MCP_CLIENT_CONFIG_PATH: join(home, 'client.json'),
    };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        argv,
        { env, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && !(toolError && error.code === TOOL_ERROR_EXIT)) {
            reject(new Error(describeRun(argv.slice(1), error.code, error.signal, stdout, stderr)));
            return;
          }
          let parsed: { result?: CliResult };
          try {
            parsed = JSON.parse(stdout) as { result?: CliResult };
          } catch {
            reject(
              new Error(`unparsable JSON on stdout\n${describeRun(argv.slice(1), 0, null, stdout, stderr)}`),
            );
            return;
          }
          if (parsed.result === undefined) {
            reject(
              new Error(`no "result" in the output\n${describeRun(argv.slice(1), 0, null, stdout, stderr)}`),
            );
            return;
          }
          resolve({ result: parsed.result, stderr });
        },
      );
    });
  }

  for (const { era, protocolVersion } of ERAS) {
    describe(`--protocol-era ${era}`, () => {
      it(`negotiates ${protocolVersion} with the gateway`, async () => {
        const { result, stderr } = await inspect(era, ['--method', 'initialize']);
        assert.equal(result.protocolVersion, protocolVersion, stderr);
        assert.equal(result.serverInfo?.name, 'gatehouse', stderr);
      });

      it('tools/list shows the tools of all three upstreams', async () => {
        const { result, stderr } = await inspect(era, ['--method', 'tools/list']);
        const names = (result.tools ?? []).map((t) => t.name);
        for (const expected of [
          'alpha_echo',
          'alpha_pid',
          'beta_echo',
          'beta_pid',
          'conf_test_simple_text',
        ]) {
          assert.ok(names.includes(expected), `${expected} missing from ${JSON.stringify(names)}\n${stderr}`);
        }
        assert.equal(new Set(names).size, names.length, 'no tool listed twice');
        assert.deepEqual(
          names.filter((n) => !/^(alpha|beta|conf)_/.test(n)),
          [],
          'every tool is namespaced by its upstream',
        );
      });

      it('tools/call alpha_echo returns the stdio upstream text', async () => {
        const { result, stderr } = await inspect(era, [
          '--method',
          'tools/call',
          '--tool-name',
          'alpha_echo',
          '--tool-arg',
          'message=hi',
        ]);
        assert.notEqual(result.isError, true, stderr);
        assert.deepEqual(result.content, [{ type: 'text', text: 'alpha: hi' }], stderr);
      });

      it('--tool-arg with an integer-looking id reaches a string argument as that text', async () => {
        // The CLI parses `9100516026` as JSON and sends the number; the tool declares a string.
        const { result, stderr } = await inspect(era, [
          '--method',
          'tools/call',
          '--tool-name',
          'alpha_echo',
          '--tool-arg',
          'message=9100516026',
        ]);
        assert.notEqual(result.isError, true, `${JSON.stringify(result)}\n${stderr}`);
        assert.deepEqual(result.content, [{ type: 'text', text: 'alpha: 9100516026' }], stderr);
      });

      it("a validation error names the tool as the caller called it (alpha_echo, not the upstream's echo)", async () => {
        const { result, stderr } = await inspect(
          era,
          ['--method', 'tools/call', '--tool-name', 'alpha_echo', '--tool-arg', 'message={"a":1}'],
          true,
        );
        assert.equal(result.isError, true, stderr);
        const text = result.content?.[0]?.text ?? '';
        assert.match(text, /Invalid arguments for tool alpha_echo: message: /, text);
        assert.doesNotMatch(text, /tool echo\b/, text);
      });

      it("a prompt's refused arguments are reported as the caller named it (alpha_greet)", async () => {
        await assert.rejects(
          inspect(era, ['--method', 'prompts/get', '--prompt-name', 'alpha_greet']),
          (error: Error) => {
            assert.match(error.message, /Invalid arguments for prompt alpha_greet: who: /, error.message);
            assert.doesNotMatch(error.message, /prompt greet\b/, error.message);
            return true;
          },
        );
      });

      it('tools/call conf_test_simple_text returns the HTTP upstream text', async () => {
        const { result, stderr } = await inspect(era, [
          '--method',
          'tools/call',
          '--tool-name',
          'conf_test_simple_text',
        ]);
        assert.notEqual(result.isError, true, stderr);
        assert.deepEqual(result.content, [{ type: 'text', text: CONF_SIMPLE_TEXT }], stderr);
        // The gateway is the server the client talks to: the upstream's identity never leaks through.
        const info = result._meta?.['io.modelcontextprotocol/serverInfo'] as { name?: string } | undefined;
        assert.notEqual(info?.name, 'gatehouse-conformance-server', stderr);
      });

      it('resources/read of fixture://beta/readme reaches the beta upstream', async () => {
        const { result, stderr } = await inspect(era, [
          '--method',
          'resources/read',
          '--uri',
          'fixture://beta/readme',
        ]);
        assert.deepEqual(
          result.contents,
          [{ uri: 'fixture://beta/readme', mimeType: 'text/plain', text: 'readme of beta' }],
          stderr,
        );
      });

      it('resources/read of test://static-text reaches the HTTP upstream', async () => {
        const { result, stderr } = await inspect(era, [
          '--method',
          'resources/read',
          '--uri',
          'test://static-text',
        ]);
        assert.deepEqual(
          result.contents,
          [{ uri: 'test://static-text', mimeType: 'text/plain', text: CONF_STATIC_TEXT }],
          stderr,
        );
        if (protocolVersion !== '2026-07-28') {
          assert.equal(
            (result as Record<string, unknown>).ttlMs,
            undefined,
            '2025-era results carry no cache hints',
          );
        }
      });

      it('prompts/get alpha_greet renders the alpha prompt', async () => {
        const { result, stderr } = await inspect(era, [
          '--method',
          'prompts/get',
          '--prompt-name',
          'alpha_greet',
          '--prompt-args',
          'who=ann',
        ]);
        assert.deepEqual(
          result.messages,
          [{ role: 'user', content: { type: 'text', text: 'Hello ann from alpha' } }],
          stderr,
        );
      });
    });
  }
});
