/**
 * Hostile JSON on `gatehouse stdio`: a line nested deeper than server.maxJsonDepth, or holding more
 * elements than server.maxJsonElements, is answered with -32600 (id null: it was never parsed) and
 * the pipe keeps serving, in both eras. Plus the line splitter on its own: chunk boundaries, and an
 * unterminated line longer than the limit.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { boundedLines } from '../src/transport/stdio-bounds.ts';
import { fixtureUpstreamYaml, OPEN_ACCESS_YAML, tempStorage } from './helpers/harness.ts';
import { initializeRequest, type JsonRpcAnswer, MODERN_ENVELOPE, resultText } from './helpers/raw-http.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

/** `gatehouse stdio` as a child with raw pipes: send a line, wait for the next answer. */
class StdioGateway {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: JsonRpcAnswer[] = [];
  private readonly waiting: ((answer: JsonRpcAnswer) => void)[] = [];
  private readonly lines: Interface;

  constructor(configFile: string) {
    this.child = spawn(process.execPath, [BIN, 'stdio', '--config', configFile], {
      env: { PATH: process.env.PATH ?? '' },
    });
    this.child.stderr.resume();
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => {
      const answer = JSON.parse(line) as JsonRpcAnswer & { method?: string };
      if (answer.method !== undefined) return; // notifications (logs, list changes) are not answers
      const next = this.waiting.shift();
      if (next) next(answer);
      else this.answers.push(answer);
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  next(): Promise<JsonRpcAnswer> {
    const ready = this.answers.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer on stdout within 20 s')), 20_000);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  async request(message: unknown): Promise<JsonRpcAnswer> {
    this.send(JSON.stringify(message));
    return this.next();
  }

  /** Ends stdin (the gateway then stops itself); kills this child by its PID if it does not. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.lines.close();
  }
}

function configFile(): string {
  const dir = makeTempDir('gatehouse-hostile-stdio-');
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(
    file,
    `server: { maxJsonElements: 1000 }\nupstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}\nstorage: { path: ${JSON.stringify(tempStorage())} }\n`,
  );
  return file;
}

function echoLine(id: number, extra: string, meta = ''): string {
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"alpha_echo","arguments":{"message":"ok","extra":${extra}}${meta}}}`;
}

const DEEP = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
const MANY = JSON.stringify(Array.from({ length: 1001 }, () => 0));

function assertRefused(answer: JsonRpcAnswer, limit: RegExp): void {
  assert.equal(answer.id, null);
  assert.equal(answer.error?.code, -32600);
  assert.match(answer.error?.message ?? '', limit);
}

describe('hostile JSON on gatehouse stdio', () => {
  let file: string;
  before(() => {
    file = configFile();
  });

  it('2025-11-25: refuses deep and oversized lines before and after initialize, and keeps serving', async () => {
    const gw = new StdioGateway(file);
    after(() => gw.stop());
    gw.send(echoLine(1, DEEP));
    assertRefused(await gw.next(), /deeper than 64 levels \(server\.maxJsonDepth\)/);
    const opened = await gw.request(initializeRequest('2025-11-25', 2));
    assert.equal((opened.result as { protocolVersion?: string }).protocolVersion, '2025-11-25');
    gw.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    gw.send(echoLine(3, `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`));
    assertRefused(await gw.next(), /maxJsonDepth/);
    gw.send(echoLine(4, MANY));
    assertRefused(
      await gw.next(),
      /more than 1000 array items and object members \(server\.maxJsonElements\)/,
    );
    const served = await gw.request({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'alpha_echo', arguments: { message: 'after' } },
    });
    assert.equal(served.id, 5);
    assert.equal(resultText(served), 'alpha: after');
  });

  it('2026-07-28: refuses a deep line and keeps serving', async () => {
    const gw = new StdioGateway(file);
    after(() => gw.stop());
    const meta = `,"_meta":${JSON.stringify(MODERN_ENVELOPE)}`;
    gw.send(echoLine(1, DEEP, meta));
    assertRefused(await gw.next(), /maxJsonDepth/);
    const served = await gw.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'alpha_echo', arguments: { message: 'modern' }, _meta: MODERN_ENVELOPE },
    });
    assert.equal(resultText(served), 'alpha: modern');
  });
});

describe('boundedLines (unit)', () => {
  async function through(chunks: string[], maxLineBytes = 1000) {
    const refused: string[] = [];
    const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(
      boundedLines({ maxDepth: 3, maxElements: 10, maxLineBytes }, (m) => refused.push(m)),
    );
    let passed = '';
    for await (const chunk of stream) passed += String(chunk);
    return { passed, refused };
  }

  it('passes lines within bounds unchanged, across chunk boundaries', async () => {
    const { passed, refused } = await through(['{"a":', '[1]}\n[', '1,2]\r\n', '{}\n']);
    assert.equal(passed, '{"a":[1]}\n[1,2]\r\n{}\n');
    assert.deepEqual(refused, []);
  });

  it('drops a line beyond the bounds and goes on with the next', async () => {
    const { passed, refused } = await through(['[[[[1]]]]\n[1]\n']);
    assert.equal(passed, '[1]\n');
    assert.equal(refused.length, 1);
    assert.match(refused[0] ?? '', /deeper than 3 levels/);
  });

  it('drops an over-long line once, up to its newline, without holding it', async () => {
    const { passed, refused } = await through(['[', '1,'.repeat(40), '1,'.repeat(40), '1]\n{}\n'], 50);
    assert.equal(passed, '{}\n');
    assert.deepEqual(refused, ['Invalid Request: the message is longer than 50 bytes']);
  });
});
