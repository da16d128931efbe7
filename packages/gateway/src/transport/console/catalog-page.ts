/**
 * The catalog page: the tools, resources and prompts one caller's assistant is listed (the
 * gateway's own CatalogView), each with the rule behind it (decide(), as `gatehouse explain`
 * prints it), what the policy hides from that caller and by which rule, and a "try it" form on
 * the tools the SIGNED-IN principal may call — the call runs as the signed-in principal.
 */
import { html } from 'hono/html';
import type { Principal } from '../../auth/principal.ts';
import type { Decision, TargetKind } from '../../policy/decide.ts';
import type { TriedCall } from './console-call.ts';
import { alert, CONSOLE_PATH, consolePage, type Markup } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

/** One catalog entry with the listing decision (may the caller know it?) and the call decision. */
export interface ExplainedItem {
  kind: TargetKind;
  name: string;
  detail: string;
  listing: Decision;
  call: Decision;
  /** Tools only: whether the signed-in principal's own roles may call it (the try-it form). */
  tryable: boolean;
}

export interface CatalogSeen {
  principal: Principal;
  tools: ExplainedItem[];
  resources: ExplainedItem[];
  templates: ExplainedItem[];
  prompts: ExplainedItem[];
  hidden: ExplainedItem[];
  /** Search mode: what tools/list shows, and the results per search. */
  searchMode: { listed: string[]; limit: number } | null;
  unreachable: { name: string; reason: string }[];
}

export interface CatalogPageOptions {
  session: ConsoleSession;
  /** The picker's values as given (`user`, `roles`). */
  who: { user: string; roles: string };
  users: readonly string[];
  roles: readonly string[];
  seen?: CatalogSeen;
  error?: string;
  tried?: { tool: string; args: string; outcome?: TriedCall; error?: string };
}

function rule(decision: Decision): Markup {
  return html`<code>${decision.rule ?? '(none — deny by default)'}</code>`;
}

function approval(decision: Decision): Markup | string {
  if (decision.approval === null) return '';
  const wait = decision.approval.waitSeconds > 0 ? `, waits up to ${decision.approval.waitSeconds} s` : '';
  return html`<span class="badge pending">approval: ${decision.approval.mode}${wait}</span>`;
}

function picker(options: CatalogPageOptions): Markup {
  const { who, users, roles } = options;
  return html`<form method="get" action="${CONSOLE_PATH}/catalog" class="card row" aria-label="Whose view">
  <div><label for="user">User (an API key's or the stdio user)</label>
    <select id="user" name="user"><option value="">—</option>${users.map(
      (u) => html`<option${u === who.user ? html` selected` : ''}>${u}</option>`,
    )}</select></div>
  <div><label for="roles">Or roles (comma-separated)</label>
    <input id="roles" name="roles" value="${who.roles}" maxlength="500" aria-describedby="roles-hint">
    <p class="muted" id="roles-hint">Roles in the policy: ${roles.join(', ') || 'none'}. Roles win over the user.</p></div>
  <div class="shrink"><button type="submit">Show</button></div>
</form>`;
}

function tryForm(options: CatalogPageOptions, tool: string): Markup {
  const { session, who } = options;
  const id = `args-${Buffer.from(tool).toString('hex')}`; // unique per tool name, a valid id
  const previous = options.tried?.tool === tool ? options.tried.args : '{}';
  return html`<details${options.tried?.tool === tool ? html` open` : ''}><summary>Try as ${session.principal.user}</summary>
<form method="post" action="${CONSOLE_PATH}/catalog/try">
  <input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="tool" value="${tool}">
  <input type="hidden" name="user" value="${who.user}"><input type="hidden" name="roles" value="${who.roles}">
  <label for="${id}">Arguments for ${tool} (JSON)</label>
  <textarea id="${id}" name="args" rows="3" maxlength="100000">${previous}</textarea>
  <p><button type="submit">Call ${tool} as ${session.principal.user}</button></p>
</form></details>`;
}

function tried(options: CatalogPageOptions): Markup | string {
  const t = options.tried;
  if (t === undefined) return '';
  const me = options.session.principal.user;
  if (t.error !== undefined) return alert(t.error);
  const o = t.outcome;
  if (o === undefined) return '';
  const body =
    o.kind === 'result'
      ? html`<p>${o.isError ? 'The tool reported an error' : 'Result'}:</p><pre>${o.json}</pre>`
      : o.kind === 'error'
        ? html`<p class="error">Refused or failed (JSON-RPC ${o.code}): ${o.message}</p>`
        : html`<p>The call asks for input (an in-band confirmation) that the console cannot give; call it from an assistant, or configure a queued approval.</p>`;
  return html`<section class="card" role="status" aria-labelledby="tried-h"><h2 id="tried-h">${t.tool}, called as ${me}</h2>${body}
<p class="muted">Run through the gateway's pipeline as you, so it is in the audit log under ${me}.</p></section>`;
}

function itemTable(
  options: CatalogPageOptions,
  caption: string,
  items: readonly ExplainedItem[],
  tools = false,
): Markup {
  const id = caption.toLowerCase().replace(/\W+/g, '-');
  return html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${caption} (${items.length})</h2>
${
  items.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Rule</th>${tools ? html`<th scope="col">Try it</th>` : ''}</tr></thead><tbody>
${items.map(
  (i) =>
    html`<tr><td><code>${i.name}</code></td><td>${i.detail}</td><td>${rule(i.listing)} ${approval(i.call)}</td>${
      tools
        ? html`<td>${i.tryable ? tryForm(options, i.name) : html`<span class="muted">not callable by you</span>`}</td>`
        : ''
    }</tr>`,
)}</tbody></table>`
}</section>`;
}

function seenBody(options: CatalogPageOptions, seen: CatalogSeen): Markup {
  const p = seen.principal;
  const me = options.session.principal.user;
  return html`<p><strong>${p.user}</strong> (roles: ${p.roles.join(', ') || 'none'}): what follows is exactly what this caller's assistant is offered.</p>
<p class="muted">“Try it” runs the call as you (${me}), never as ${p.user}: through the gateway's pipeline, so policy, approvals, shaping and the audit apply to you. It is offered on the tools your own roles may call.</p>
${
  seen.searchMode === null
    ? ''
    : html`<div class="notice" role="note">Search mode: tools/list shows ${seen.searchMode.listed.join(', ')}; search_tools finds any of the ${seen.tools.length} tools below (${seen.searchMode.limit} per search).</div>`
}
${seen.unreachable.map((u) => html`<div class="alert" role="note">Not reachable now: ${u.name} (${u.reason}).</div>`)}
${itemTable(options, 'Tools', seen.tools, true)}
${itemTable(options, 'Resources', seen.resources)}
${itemTable(options, 'Resource templates', seen.templates)}
${itemTable(options, 'Prompts', seen.prompts)}
<section class="card" aria-labelledby="hidden-h"><h2 id="hidden-h">Hidden from ${p.user} (${seen.hidden.length})</h2>
<p class="muted">Answered to ${p.user} exactly like names that do not exist.</p>
${
  seen.hidden.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Rule</th><th scope="col">Reason</th></tr></thead><tbody>
${seen.hidden.map((h) => html`<tr><td>${h.kind}</td><td><code>${h.name}</code></td><td>${rule(h.listing)}</td><td>${h.listing.reason}</td></tr>`)}
</tbody></table>`
}</section>`;
}

export function catalogPage(options: CatalogPageOptions): Markup {
  const body = html`<h1>Catalog as a caller sees it</h1>
${picker(options)}
${alert(options.error)}
${tried(options)}
${options.seen === undefined ? (options.error === undefined ? html`<p class="muted">Pick a user or roles.</p>` : '') : seenBody(options, options.seen)}`;
  return consolePage({ title: 'Catalog', session: options.session, current: 'catalog', body });
}
