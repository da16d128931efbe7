/**
 * A progress notification read in the same chunk as the call's result still reaches the caller:
 * the SDK client, given both in one synchronous batch, settles the call first and drops the
 * progress as an unknown token; the upstream transport wrapper keeps them in read order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { admitUpstreamResults } from '../src/upstream/inbound-results.ts';

/** An upstream on a 2025-era session that answers a tools/call with a progress notification and the result in one batch. */
class OneChunkUpstream implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!('method' in message) || !('id' in message)) return;
    const { id } = message;
    setImmediate(() => {
      if (message.method === 'initialize') {
        this.onmessage?.({
          jsonrpc: '2.0',
          id,
          result: {
            protocolVersion: '2025-11-25',
            capabilities: { tools: {} },
            serverInfo: { name: 'one-chunk', version: '1' },
          },
        });
        return;
      }
      const token = (message.params?._meta as { progressToken?: number } | undefined)?.progressToken;
      // Read from one chunk: both handed over in the same synchronous loop, as a ReadBuffer does.
      this.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: token ?? 0, progress: 100, total: 100 },
      });
      this.onmessage?.({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'done' }] } });
    });
  }
}

async function callWithProgress(wrap: boolean): Promise<{ progress: number[]; errors: string[] }> {
  const upstream = new OneChunkUpstream();
  const transport = wrap
    ? admitUpstreamResults(upstream, { modern: () => false, onMissingResultType: () => {} })
    : upstream;
  const client = new Client({ name: 'test', version: '1' }, { versionNegotiation: { mode: 'legacy' } });
  const errors: string[] = [];
  client.onerror = (error) => errors.push(error.message);
  await client.connect(transport);
  const progress: number[] = [];
  try {
    await client.callTool({ name: 'slow', arguments: {} }, { onprogress: (p) => progress.push(p.progress) });
    await new Promise((resolve) => setImmediate(resolve));
    return { progress, errors };
  } finally {
    await client.close();
  }
}

describe('upstream messages in read order', () => {
  it('relays a progress notification read in the same chunk as the result', async () => {
    const { progress, errors } = await callWithProgress(true);
    assert.deepEqual(progress, [100]);
    assert.deepEqual(errors, []);
  });

  it('(the SDK client alone drops it: what the wrapper is for)', async () => {
    const { progress, errors } = await callWithProgress(false);
    assert.deepEqual(progress, []);
    assert.match(errors.join('\n'), /progress notification for an unknown token/);
  });
});
