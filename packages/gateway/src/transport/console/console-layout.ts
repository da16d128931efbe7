/** The console's page frame and its sign-in page. Everything shown is escaped by `html`. */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ConsoleSession } from './console-sessions.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export const CONSOLE_PATH = '/console';

const NAV = [
  ['approvals', 'Approvals'],
  ['audit', 'Audit'],
  ['keys', 'Keys'],
  ['catalog', 'Catalog'],
  ['pins', 'Tool changes'],
  ['upstreams', 'Upstreams'],
  ['traffic', 'Traffic'],
] as const;

export type ConsolePage = (typeof NAV)[number][0];

function head(title: string, script?: string): Markup {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse console</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/assets/console.css">
${script === undefined ? '' : html`<script type="module" src="${CONSOLE_PATH}/assets/${script}"></script>`}`;
}

export function consolePage(options: {
  title: string;
  session: ConsoleSession;
  current: ConsolePage;
  body: Markup;
  script?: string;
}): Markup {
  const { session } = options;
  return html`<!doctype html>
<html lang="en">
<head>${head(options.title, options.script)}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="${CONSOLE_PATH}/approvals">Gatehouse console</a>
  <nav aria-label="Console">
    ${NAV.map(([page, label]) => html`<a href="${CONSOLE_PATH}/${page}"${options.current === page ? html` aria-current="page"` : ''}>${label}</a>`)}
  </nav>
  <span class="who">${session.principal.user} · ${session.principal.roles.join(', ')}</span>
  <form method="post" action="${CONSOLE_PATH}/logout"><input type="hidden" name="csrf" value="${session.csrf}"><button class="secondary" type="submit">Sign out</button></form>
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`;
}

export function loginPage(options: { error?: string; next?: string; oidcIssuer?: string }): Markup {
  const next = options.next ?? '';
  return html`<!doctype html>
<html lang="en">
<head>${head('Sign in')}</head>
<body>
<main id="main" class="login">
  <h1>Gatehouse console</h1>
  <div class="card">
    ${options.error === undefined ? '' : html`<div class="alert" role="alert">${options.error}</div>`}
    ${
      options.oidcIssuer === undefined
        ? ''
        : html`<p><a class="button" href="${CONSOLE_PATH}/oidc/start?next=${encodeURIComponent(next)}">Sign in with ${options.oidcIssuer}</a></p>
    <p class="muted or">or with an API key</p>`
    }
    <form method="post" action="${CONSOLE_PATH}/login">
      <input type="hidden" name="next" value="${next}">
      <label for="key">API key</label>
      <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
      <p class="muted">A key of a role the configuration names as an approver (approvals.approvers).</p>
      <p><button type="submit">Sign in</button></p>
    </form>
  </div>
</main>
</body>
</html>`;
}

/**
 * After an OIDC sign-in: the issuer's redirect is a cross-site navigation, so the browser would
 * not send the new SameSite=Strict session cookie on a redirect that continues it; this page
 * moves on with a same-site navigation of its own (a meta refresh: no script, CSP-clean).
 */
export function signedInPage(options: { user: string; next: string }): Markup {
  return html`<!doctype html>
<html lang="en">
<head>${head('Signed in')}
<meta http-equiv="refresh" content="0;url=${options.next}"></head>
<body>
<main id="main" class="login">
  <h1>Gatehouse console</h1>
  <div class="card"><p role="status">Signed in as ${options.user}. <a href="${options.next}">Continue to the console</a>.</p></div>
</main>
</body>
</html>`;
}

export function alert(message: string | undefined): Markup | string {
  return message === undefined ? '' : html`<div class="alert" role="alert">${message}</div>`;
}

export function notice(message: string | undefined): Markup | string {
  return message === undefined ? '' : html`<div class="notice" role="status">${message}</div>`;
}

export function badge(value: string | null | undefined): Markup | string {
  return value === null || value === undefined ? '' : html`<span class="badge ${value}">${value}</span>`;
}

export function when(iso: string | null | undefined): Markup | string {
  return iso === null || iso === undefined
    ? ''
    : html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}
