/** The page frame every signed-in page shares, and the login page. Text is escaped by `html`. */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { WebSession } from '../domain/accounts.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV = [
  ['/', 'Incidents'],
  ['/chat', 'Ask Lantern'],
  ['/tokens', 'API tokens'],
] as const;

export interface PageOptions {
  title: string;
  session: WebSession;
  /** The nav entry this page belongs to. */
  current: string;
  body: Markup;
  /** Extra script from /assets (the chat page). */
  script?: string;
}

export function page(options: PageOptions): Markup {
  const { title, session, current, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Lantern</title>
<link rel="stylesheet" href="/assets/lantern.css">
${options.script === undefined ? '' : html`<script type="module" src="${options.script}"></script>`}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Lantern</a>
  <nav aria-label="Main">
    ${NAV.map(([href, label]) => html`<a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a>`)}
  </nav>
  <span class="who">${session.user.name} · ${session.user.role} · ${session.user.orgId}</span>
  <form method="post" action="/logout"><input type="hidden" name="csrf" value="${session.csrf}"><button class="secondary" type="submit">Sign out</button></form>
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}

export function loginPage(options: { error?: string; email?: string; next?: string }): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Lantern</title>
<link rel="stylesheet" href="/assets/lantern.css">
</head>
<body>
<main id="main" class="login">
  <h1>Sign in to Lantern</h1>
  <div class="card">
    ${options.error === undefined ? '' : html`<div class="alert" role="alert">${options.error}</div>`}
    <form method="post" action="/login">
      <input type="hidden" name="next" value="${options.next ?? '/'}">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ''}" autofocus>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <p><button type="submit">Sign in</button></p>
    </form>
  </div>
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
