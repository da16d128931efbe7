/** Config: auth.oidc.console, the console's OIDC sign-in client (schema and normalize). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigText } from '../src/config/load.ts';

function load(text: string) {
  return loadConfigText(text, 'gatehouse.yaml', {});
}

const OIDC = 'auth:\n  oidc:\n    issuer: https://login.example.com/realms/acme\n';

describe('auth.oidc.console', () => {
  it('is off unless configured', () => {
    const loaded = load(OIDC);
    assert.ok(loaded.ok);
    assert.equal(loaded.model.auth.oidc?.console, null);
  });

  it('defaults its scopes, and its redirect URI is on the publicUrl origin', () => {
    const loaded = load(
      `server:\n  publicUrl: https://gw.example.com/tools/mcp\n${OIDC}    console: { clientId: gatehouse-console }\n`,
    );
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.model.auth.oidc?.console, {
      clientId: 'gatehouse-console',
      clientSecretEnv: null,
      scopes: ['openid', 'profile'],
      redirectUri: 'https://gw.example.com/console/oidc/callback',
    });
  });

  it('without a publicUrl, uses the origin of the resource URL and always asks for openid first', () => {
    const loaded = load(
      `server:\n  host: 127.0.0.1\n  port: 8123\n${OIDC}    console: { clientId: c, clientSecretEnv: CONSOLE_SECRET, scopes: [roles] }\n`,
    );
    assert.ok(loaded.ok);
    assert.equal(loaded.model.auth.oidc?.console?.redirectUri, 'http://127.0.0.1:8123/console/oidc/callback');
    assert.deepEqual(loaded.model.auth.oidc?.console?.scopes, ['openid', 'roles']);
    assert.equal(loaded.model.auth.oidc?.console?.clientSecretEnv, 'CONSOLE_SECRET');
  });

  it('refuses a secret written into the file, and an environment variable name that is not one', () => {
    const secret = load(`${OIDC}    console: { clientId: c, clientSecret: hunter2hunter2 }\n`);
    assert.equal(secret.ok, false);
    assert.ok(!secret.ok && secret.issues.some((i) => i.path.startsWith('auth.oidc.console')));
    const badName = load(`${OIDC}    console: { clientId: c, clientSecretEnv: "not a name" }\n`);
    assert.ok(!badName.ok && badName.issues.some((i) => i.path === 'auth.oidc.console.clientSecretEnv'));
    const noClient = load(`${OIDC}    console: {}\n`);
    assert.ok(!noClient.ok && noClient.issues.some((i) => i.path === 'auth.oidc.console.clientId'));
  });
});
