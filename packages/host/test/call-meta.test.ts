/**
 * What a program adds to a server's config reaches the server: `callMeta` is the `_meta` of every
 * tools/call (a product's own host names the user it acts for), in both eras; and a tool's
 * annotations (destructiveHint) reach the HostTool, so a UI can confirm before it runs.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectToolSource } from '../src/index.ts';
import { noQuestions } from './helpers/asking.ts';
import { killStarted, startKitHttp } from './helpers/processes.ts';

after(() => killStarted());

const CALLER_SERVER = fileURLToPath(new URL('./fixtures/caller-server.ts', import.meta.url));
const PRINCIPAL = {
  'dev.gatehouse/principal': { id: 'usr_1', user: 'bob@northwind.example', org: 'northwind', roles: [] },
};

for (const protocol of ['2025-11-25', '2026-07-28'] as const) {
  it(`sends callMeta as the _meta of each call, and keeps the tools' annotations (${protocol})`, async () => {
    const server = await startKitHttp(CALLER_SERVER);
    const base = { name: 'svc', type: 'http' as const, url: server.url, headers: {}, protocol };
    const withMeta = await connectToolSource({
      kind: 'servers',
      servers: [{ ...base, callMeta: PRINCIPAL }],
    });
    const without = await connectToolSource({ kind: 'servers', servers: [base] });
    try {
      const asked = await withMeta.callTool('svc__whoami', {}, noQuestions());
      assert.match(asked.text, /bob@northwind\.example \(usr_1\)/);
      const anonymous = await without.callTool('svc__whoami', {}, noQuestions());
      assert.match(anonymous.text, /nobody/);
      const wipe = withMeta.tools().find((t) => t.name === 'svc__wipe');
      assert.equal(wipe?.annotations?.destructiveHint, true);
      assert.equal(withMeta.tools().find((t) => t.name === 'svc__whoami')?.annotations?.readOnlyHint, true);
    } finally {
      await withMeta.close();
      await without.close();
    }
  });
}
