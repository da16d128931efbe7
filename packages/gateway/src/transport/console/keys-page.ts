/** The keys page: the gateway's API keys (never their secrets), a new one shown once, revoke. */
import { html } from 'hono/html';
import type { ApiKeyInfo } from '../../auth/api-keys.ts';
import { alert, CONSOLE_PATH, consolePage, type Markup, notice, when } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

export function keysPage(options: {
  session: ConsoleSession;
  keys: readonly ApiKeyInfo[] | null;
  created?: { key: string; info: ApiKeyInfo };
  error?: string;
  done?: string;
}): Markup {
  const { session, keys, created } = options;
  const csrf = html`<input type="hidden" name="csrf" value="${session.csrf}">`;
  const body =
    keys === null
      ? html`<h1>Keys</h1><div class="alert" role="alert">API keys are off in this configuration (auth.apiKeys).</div>`
      : html`<h1>Keys</h1>
      ${alert(options.error)}${notice(options.done)}
      ${
        created === undefined
          ? ''
          : html`<div class="notice" role="status"><p>New key for ${created.info.user} (${created.info.roles.join(', ')}). Copy it now: it is not shown again.</p><code class="secret">${created.key}</code></div>`
      }
      <section class="card" aria-labelledby="new-h"><h2 id="new-h">New key</h2>
        <form method="post" action="${CONSOLE_PATH}/keys" class="row">${csrf}
          <div><label for="user">User</label><input id="user" name="user" required maxlength="200"></div>
          <div><label for="roles">Roles (comma-separated)</label><input id="roles" name="roles" required maxlength="500"></div>
          <div><label for="org">Org (optional)</label><input id="org" name="org" maxlength="200"></div>
          <div><label for="description">Description (optional)</label><input id="description" name="description" maxlength="200"></div>
          <div class="shrink"><button type="submit">Create key</button></div>
        </form></section>
      <section class="card" aria-labelledby="list-h"><h2 id="list-h">Active keys</h2>
        <table><thead><tr><th scope="col">Key id</th><th scope="col">User</th><th scope="col">Roles</th><th scope="col">Org</th>
        <th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="skip">Revoke</span></th></tr></thead><tbody>
        ${keys.map(
          (
            k,
          ) => html`<tr><td><code>${k.id}</code></td><td>${k.user}</td><td>${k.roles.join(', ')}</td><td>${k.org ?? ''}</td>
          <td>${k.description ?? ''}</td><td class="nowrap">${when(k.createdAt)}</td>
          <td><form method="post" action="${CONSOLE_PATH}/keys/${k.id}/revoke">${csrf}<button class="secondary" type="submit" aria-label="Revoke key ${k.id}">Revoke</button></form></td></tr>`,
        )}
        </tbody></table></section>`;
  return consolePage({ title: 'Keys', session, current: 'keys', body });
}
