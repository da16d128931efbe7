/**
 * The host through a real gateway (`gatehouse serve`, started here with a temp config, a wallet
 * and a fixture upstream), in both protocol eras: tools as the gateway lists them, the in-band
 * confirmation of a wallet transfer put to `ask`, a queued approval reported as a wait and
 * retried until an approver says yes, list_changed relayed, and the one-line connect errors.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectToolSource, HostError, type McpToolSource } from '../src/index.ts';
import { answering, noQuestions } from './helpers/asking.ts';
import {
  createKey,
  FIXTURE,
  freePort,
  killStarted,
  type Running,
  startGateway,
  tempDir,
  tempFile,
  WALLET,
  waitFor,
} from './helpers/processes.ts';

function gatewayYaml(dir: string): string {
  const node = JSON.stringify(process.execPath);
  return `server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(join(dir, 'gatehouse.db'))} }
logging: { level: warn }
upstreams:
  - name: wallet
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(WALLET)}]
    env: { WALLET_DB_PATH: ${JSON.stringify(join(dir, 'wallet.db'))} }
    forwardIdentity: { meta: true }
  - name: fx
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(FIXTURE)}]
    env: { FIXTURE_NAME: fx }
auth: { apiKeys: true }
approvals: { mode: auto, destructiveTools: false, approvers: [admin] }
policy:
  groups:
    wallet:
      allow:
        - tools: [wallet_get_balance]
        - tools: [wallet_transfer]
          approval: true
    fixture:
      allow:
        - tools: [fx_add_tool, "fx_dynamic_*", fx_ask, fx_slow_progress]
        - tools: [fx_echo]
          approval: { mode: queue }
  roles:
    finance: { groups: [wallet, fixture] }
    admin: { groups: [] }
`;
}

async function approveVia(gatewayUrl: string, key: string, id: string): Promise<void> {
  const response = await fetch(new URL(`/api/approvals/${id}/approve`, gatewayUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(response.status, 200, await response.text());
}

let gateway: Running;
let financeKey: string;
let adminKey: string;

before(async () => {
  const dir = tempDir();
  const config = tempFile('gatehouse.yaml', gatewayYaml(dir), dir);
  financeKey = await createKey(config, 'finance', ['finance']);
  adminKey = await createKey(config, 'admin', ['admin']);
  gateway = await startGateway(config);
  // `gatehouse serve` answers at once; its upstreams come up behind it.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ready = await fetch(new URL('/readyz', gateway.url)).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the gateway did not become ready');
});

after(async () => {
  await gateway?.stop();
  killStarted();
});

let transferNo = 0;
const transferArgs = () => ({
  fromAccountId: 'acc_finance_eur',
  toAccountId: 'acc_sales_eur',
  amount: '1.00',
  currency: 'EUR',
  idempotencyKey: `host-test-${process.pid}-${++transferNo}`,
});

for (const protocol of ['2025-11-25', '2026-07-28'] as const) {
  describe(`through the gateway, ${protocol}`, () => {
    let source: McpToolSource;

    before(async () => {
      source = await connectToolSource({ kind: 'gateway', url: gateway.url, key: financeKey, protocol });
    });
    after(async () => {
      await source?.close();
    });

    it('speaks the era asked for and lists the tools as the gateway names them', () => {
      const [status] = source.servers();
      assert.equal(status?.era, protocol === '2026-07-28' ? 'modern' : 'legacy');
      assert.equal(status?.protocolVersion, protocol);
      const names = source.tools().map((t) => t.name);
      assert.ok(names.includes('wallet_transfer'), names.join(', '));
      assert.ok(!names.some((n) => n.startsWith('gateway__')), names.join(', '));
      const transfer = source.tools().find((t) => t.name === 'wallet_transfer');
      assert.equal(transfer?.server, 'gateway');
      assert.equal(transfer?.serverToolName, 'wallet_transfer');
    });

    it('puts the in-band confirmation to ask, and a yes lets the transfer through', async () => {
      const options = answering({ action: 'accept' });
      const result = await source.callTool('wallet_transfer', transferArgs(), options);
      assert.equal(options.questions.length, 1);
      const [question] = options.questions;
      assert.equal(question?.tool, 'wallet_transfer');
      assert.match(question?.message ?? '', /wallet_transfer/);
      assert.deepEqual(Object.keys((question?.requestedSchema?.properties ?? {}) as object), ['approve']);
      assert.equal(result.isError, false, result.text);
      assert.match(result.text, /acc_sales_eur/);
    });

    it('a no to the confirmation is the gateway refusing the call, as an isError result', async () => {
      const options = answering({ action: 'decline' });
      const result = await source.callTool('wallet_transfer', transferArgs(), options);
      assert.equal(options.questions.length, 1);
      assert.equal(result.isError, true);
      assert.match(result.text, /did not approve/);
    });

    it('a queued approval is reported as a wait and the call goes ahead once an approver says yes', async () => {
      const options = answering({ action: 'cancel' });
      const approved = waitFor(
        () => options.statuses.some((s) => s.kind === 'awaiting-approval'),
        15_000,
        'awaiting-approval',
      ).then(async () => {
        const status = options.statuses.find((s) => s.kind === 'awaiting-approval');
        assert.ok(
          status?.kind === 'awaiting-approval' && status.approvalId?.startsWith('apr_'),
          JSON.stringify(status),
        );
        await approveVia(gateway.url, adminKey, status.approvalId as string);
      });
      const result = await source.callTool('fx_echo', { message: `hello ${protocol}` }, options);
      await approved;
      assert.equal(result.isError, false, result.text);
      assert.equal(result.text, `fx: hello ${protocol}`);
      assert.equal(options.questions.length, 0, 'a queued approval asks nobody in the chat');
      assert.match(
        options.statuses.find((s) => s.kind === 'awaiting-approval')?.message ?? '',
        /needs a human approval/,
      );
    });

    it("an approval nobody gives ends within approvalWaitMs with the gateway's answer, never a hang", async () => {
      const bounded = await connectToolSource({
        kind: 'gateway',
        url: gateway.url,
        key: financeKey,
        protocol,
        approvalWaitMs: 1500,
        approvalPollMs: 200,
      });
      try {
        const options = noQuestions();
        const started = Date.now();
        const result = await bounded.callTool('fx_echo', { message: `nobody ${protocol}` }, options);
        assert.ok(Date.now() - started < 10_000);
        assert.equal(result.isError, true);
        assert.match(result.text, /needs a human approval/);
        assert.equal(options.statuses.filter((s) => s.kind === 'awaiting-approval').length, 1);
      } finally {
        await bounded.close();
      }
    });

    it('a wait for approval ends when the signal aborts', async () => {
      const controller = new AbortController();
      const options = noQuestions(controller.signal);
      const call = source.callTool('fx_echo', { message: `cancel ${protocol}` }, options);
      await waitFor(() => options.statuses.length > 0, 15_000, 'awaiting-approval');
      controller.abort();
      const error = await call.then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HostError);
      assert.equal(error.kind, 'cancelled');
      assert.equal(error.userMessage, 'the call to fx_echo was cancelled');
    });

    it('a question from an upstream during a call reaches ask', async () => {
      const options = answering({ action: 'accept', content: { word: 'kestrel' } });
      const result = await source.callTool('fx_ask', {}, options);
      assert.equal(result.text, 'you said kestrel');
      assert.equal(options.questions[0]?.message, 'Which word?');
    });

    it('progress notifications become onStatus progress', async () => {
      const options = noQuestions();
      const result = await source.callTool('fx_slow_progress', { stepMs: 50 }, options);
      assert.equal(result.text, 'done');
      const progress = options.statuses.filter((s) => s.kind === 'progress');
      assert.ok(progress.length >= 2, JSON.stringify(options.statuses));
      assert.deepEqual(progress[0], { kind: 'progress', progress: 0, total: 100 });
    });

    it('a tool added upstream appears after list_changed, and onToolsChanged fires', async () => {
      let changed = 0;
      const stop = source.onToolsChanged(() => changed++);
      try {
        const added = await source.callTool('fx_add_tool', {}, noQuestions());
        const name = `fx_${added.text}`;
        await waitFor(() => source.tools().some((t) => t.name === name), 15_000, `${name} listed`);
        assert.ok(changed >= 1);
        const result = await source.callTool(name, {}, noQuestions());
        assert.equal(result.text, added.text);
      } finally {
        stop();
      }
    });
  });
}

async function openSessions(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  const match = /^gatehouse_sessions (\d+)/m.exec(text);
  assert.ok(match, 'gatehouse_sessions in /metrics');
  return Number(match[1]);
}

describe('closing', () => {
  it('ends the 2025-era session it opened on the gateway (DELETE)', async () => {
    const before = await openSessions();
    const source = await connectToolSource({
      kind: 'gateway',
      url: gateway.url,
      key: financeKey,
      protocol: '2025-11-25',
    });
    assert.equal(await openSessions(), before + 1);
    await source.close();
    assert.equal(await openSessions(), before);
  });
});

describe('connecting to a gateway that says no, or is not there', () => {
  it('a refused key is one line, without the key', async () => {
    const key = 'ghk_not-a-real-key-0123456789';
    const error = await connectToolSource({ kind: 'gateway', url: gateway.url, key }).then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HostError);
    assert.equal(error.kind, 'refused-key');
    assert.equal(
      error.userMessage,
      'the gateway refused the key (HTTP 401); check GATEHOUSE_API_KEY or the key you passed',
    );
    assert.ok(!error.userMessage.includes(key));
  });

  it('an unreachable gateway is one line naming its URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const error = await connectToolSource({ kind: 'gateway', url, key: financeKey }).then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HostError);
    assert.equal(error.userMessage, `cannot reach the gateway at ${url}: connection refused`);
    assert.ok(!error.userMessage.includes(financeKey));
  });
});
