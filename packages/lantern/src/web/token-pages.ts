/** The API tokens page: the user's tokens (never their secrets), a new one shown once, revoke. */
import { html } from 'hono/html';
import type { TokenInfo, WebSession } from '../domain/accounts.ts';
import { alert, type Markup, page } from './layout.ts';

export function tokensPage(options: {
  session: WebSession;
  tokens: TokenInfo[];
  issued?: { label: string; token: string };
  error?: string;
}): Markup {
  const { session, tokens, issued } = options;
  const csrf = html`<input type="hidden" name="csrf" value="${session.csrf}">`;
  return page({
    title: 'API tokens',
    session,
    current: '/tokens',
    body: html`<h1>API tokens</h1>
      <p class="muted">A token lets a program — Lantern's MCP server in your AI assistant, a script — act as you
      through the REST API, with exactly your permissions.</p>
      ${alert(options.error)}
      ${
        issued === undefined
          ? ''
          : html`<div class="notice" role="status"><p>New token “${issued.label}”. Copy it now: it is not shown again.</p>
          <code class="secret">${issued.token}</code></div>`
      }
      <section class="card" aria-labelledby="list-h"><h2 id="list-h">Your tokens</h2>
      ${
        tokens.length === 0
          ? html`<p class="muted">No tokens.</p>`
          : html`<table><thead><tr><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="skip">Revoke</span></th></tr></thead><tbody>
          ${tokens.map(
            (t) => html`<tr><td>${t.label}</td><td>${t.createdAt.slice(0, 16).replace('T', ' ')}</td>
            <td>${t.lastUsedAt === null ? 'never' : t.lastUsedAt.slice(0, 16).replace('T', ' ')}</td>
            <td><form method="post" action="/tokens/${t.id}/revoke">${csrf}<button class="secondary" type="submit" aria-label="Revoke ${t.label}">Revoke</button></form></td></tr>`,
          )}</tbody></table>`
      }</section>
      <section class="card" aria-labelledby="new-h"><h2 id="new-h">New token</h2>
      <form method="post" action="/tokens" class="row">${csrf}
        <div><label for="label">Label</label><input id="label" name="label" required maxlength="80" placeholder="Claude Desktop"></div>
        <button type="submit">Create token</button>
      </form></section>`,
  });
}
