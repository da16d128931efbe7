/** The incident pages: the org's incidents (with the open form) and one incident with its notes. */
import { html } from 'hono/html';
import type { WebSession } from '../domain/accounts.ts';
import { type Incident, type IncidentWithNotes, SEVERITIES, type Status } from '../domain/incident-model.ts';
import type { Service } from '../domain/incidents.ts';
import { type Actor, can } from '../domain/permissions.ts';
import { alert, type Markup, notice, page } from './layout.ts';

function badge(value: string): Markup {
  return html`<span class="badge ${value}">${value}</span>`;
}

function when(isoTime: string): Markup {
  return html`<time datetime="${isoTime}">${isoTime.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function incidentListPage(options: {
  session: WebSession;
  actor: Actor;
  incidents: Incident[];
  services: Service[];
  error?: string;
}): Markup {
  const { session, actor, incidents, services } = options;
  const rows = incidents.map(
    (i) => html`<tr>
      <td><a href="/incidents/${i.ref}">${i.ref}</a></td>
      <td>${i.title}</td><td>${i.service}</td><td>${badge(i.severity)}</td><td>${badge(i.status)}</td>
      <td>${when(i.createdAt)}</td></tr>`,
  );
  const openForm = can(actor, 'incidents:write')
    ? html`<section class="card" aria-labelledby="open-h">
      <h2 id="open-h">Open an incident</h2>
      <form method="post" action="/incidents">
        <input type="hidden" name="csrf" value="${session.csrf}">
        <div class="row">
          <div><label for="title">Title</label><input id="title" name="title" required minlength="3" maxlength="200"></div>
          <div><label for="service">Service</label><select id="service" name="service">
            ${services.map((s) => html`<option>${s.name}</option>`)}</select></div>
          <div class="shrink"><label for="severity">Severity</label><select id="severity" name="severity">
            ${SEVERITIES.map((s) => html`<option${s === 'sev3' ? html` selected` : ''}>${s}</option>`)}</select></div>
        </div>
        <label for="summary">Summary</label><textarea id="summary" name="summary" maxlength="4000"></textarea>
        <p><button type="submit">Open incident</button></p>
      </form></section>`
    : '';
  return page({
    title: 'Incidents',
    session,
    current: '/',
    body: html`<h1>Incidents</h1>${alert(options.error)}
      <section class="card" aria-labelledby="list-h"><h2 id="list-h" class="muted">Newest first</h2>
      <table><thead><tr><th scope="col">Ref</th><th scope="col">Title</th><th scope="col">Service</th>
      <th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Opened</th></tr></thead>
      <tbody>${rows}</tbody></table></section>${openForm}`,
  });
}

const NEXT_ACTIONS: Record<Status, readonly [Status, string][]> = {
  open: [
    ['acknowledged', 'Acknowledge'],
    ['resolved', 'Resolve'],
  ],
  acknowledged: [['resolved', 'Resolve']],
  resolved: [['open', 'Reopen']],
};

export function incidentPage(options: {
  session: WebSession;
  actor: Actor;
  incident: IncidentWithNotes;
  error?: string;
  done?: string;
}): Markup {
  const { session, actor, incident: i } = options;
  const csrf = html`<input type="hidden" name="csrf" value="${session.csrf}">`;
  const write = can(actor, 'incidents:write');
  const actions = write
    ? html`<div class="row">${NEXT_ACTIONS[i.status].map(
        ([
          status,
          label,
        ]) => html`<form method="post" action="/incidents/${i.ref}/status" class="shrink">${csrf}
          <input type="hidden" name="status" value="${status}"><button type="submit">${label}</button></form>`,
      )}
      ${
        can(actor, 'incidents:delete')
          ? html`<form method="post" action="/incidents/${i.ref}/delete" class="shrink">${csrf}
          <button class="danger" type="submit">Delete…</button></form>`
          : ''
      }</div>`
    : '';
  const noteForm = write
    ? html`<form method="post" action="/incidents/${i.ref}/notes">${csrf}
        <label for="note">Add a note</label><textarea id="note" name="body" required maxlength="4000"></textarea>
        <p><button type="submit">Add note</button></p></form>`
    : '';
  return page({
    title: `${i.ref} ${i.title}`,
    session,
    current: '/',
    body: html`<p><a href="/">← All incidents</a></p>
      <h1>${i.ref}: ${i.title}</h1>
      ${alert(options.error)}${notice(options.done)}
      <section class="card" aria-label="Details">
        <p>${badge(i.severity)} ${badge(i.status)} · ${i.service} · opened by ${i.openedBy} ${when(i.createdAt)}
        ${i.resolvedAt === null ? '' : html` · resolved ${when(i.resolvedAt)}`}</p>
        ${i.summary === '' ? '' : html`<p>${i.summary}</p>`}
        ${actions}
      </section>
      <section class="card" aria-labelledby="notes-h"><h2 id="notes-h">Notes</h2>
        ${i.notes.length === 0 ? html`<p class="muted">No notes yet.</p>` : ''}
        <ul class="notes">${i.notes.map((n) => html`<li><strong>${n.author}</strong> ${when(n.createdAt)}<br>${n.body}</li>`)}</ul>
        ${noteForm}
      </section>`,
  });
}

export function confirmDeletePage(options: { session: WebSession; incident: Incident }): Markup {
  const { session, incident: i } = options;
  return page({
    title: `Delete ${i.ref}`,
    session,
    current: '/',
    body: html`<h1>Delete ${i.ref}?</h1>
      <div class="card" role="alertdialog" aria-labelledby="del-q">
        <p id="del-q">“${i.title}” and all its notes will be deleted for good. This cannot be undone.</p>
        <form method="post" action="/incidents/${i.ref}/delete" class="row">
          <input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="confirm" value="yes">
          <button class="danger shrink" type="submit">Delete for good</button>
          <a class="shrink" href="/incidents/${i.ref}">Keep it</a>
        </form>
      </div>`,
  });
}
