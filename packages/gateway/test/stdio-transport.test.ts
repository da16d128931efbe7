/**
 * The upstream stdio transport writes the messages of one event-loop turn to the child in one
 * system call, and every message still reaches the child in order.
 */
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { UpstreamStdioTransport } from '../src/upstream/transport-factory.ts';

// A child that answers every line it reads with the same line: the transport's onmessage sees
// each message come back.
const ECHO = `process.stdin.setEncoding('utf8');let b='';process.stdin.on('data',(c)=>{b+=c;let i;while((i=b.indexOf('\\n'))>=0){process.stdout.write(b.slice(0,i+1));b=b.slice(i+1);}});`;

function stdinOf(transport: UpstreamStdioTransport): Writable {
  const stdin = transport.child?.stdin;
  assert.ok(stdin, 'the started transport exposes its child and the child its stdin');
  return stdin;
}

describe('the upstream stdio transport', () => {
  it('corks the child stdin for the messages of one turn, then writes them all, in order', async () => {
    const transport = new UpstreamStdioTransport({ command: process.execPath, args: ['-e', ECHO] });
    const echoed: JSONRPCMessage[] = [];
    const allBack = Promise.withResolvers<void>();
    transport.onmessage = (message) => {
      echoed.push(message);
      if (echoed.length === 3) allBack.resolve();
    };
    await transport.start();
    try {
      const stdin = stdinOf(transport);
      const corkedAtWrite: number[] = [];
      const write = stdin.write.bind(stdin) as (chunk: unknown) => boolean;
      stdin.write = ((chunk: unknown) => {
        corkedAtWrite.push(stdin.writableCorked);
        return write(chunk);
      }) as typeof stdin.write;
      const sent = [1, 2, 3].map((n) =>
        transport.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n } }),
      );
      await Promise.all(sent);
      assert.deepEqual(corkedAtWrite, [1, 1, 1], 'all three writes of the turn are corked');
      assert.equal(stdin.writableLength > 0, true, 'nothing has been written before the turn ends');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stdin.writableCorked, 0, 'uncorked in the same turn');
      await allBack.promise;
      assert.deepEqual(
        echoed.map((m) => ('params' in m ? m.params?.n : undefined)),
        [1, 2, 3],
      );
    } finally {
      await transport.close();
    }
  });
});
