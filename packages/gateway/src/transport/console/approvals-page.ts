/**
 * The approvals page: the pending queue (refreshed live by /console/assets/approvals.js) with
 * approve and deny — decided by the same `decideApproval` the HTTP API and the CLI use, as the
 * signed-in approver (never a name from the form) — and the recent history.
 */
import { html } from 'hono/html';
import type { ApprovalRequest } from '../../approvals/approval-store.ts';
import { alert, badge, CONSOLE_PATH, consolePage, type Markup, notice, when } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

function args(value: unknown): string {
  const text = JSON.stringify(value, null, 1) ?? '';
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** The pending rows (also served alone, for the live refresh). */
export function pendingRows(pending: readonly ApprovalRequest[], session: ConsoleSession): Markup {
  if (pending.length === 0) {
    return html`<tr><td colspan="6" class="muted">Nothing waits for a decision.</td></tr>`;
  }
  return html`${pending.map(
    (a) => html`<tr id="${a.id}">
      <td class="nowrap"><code>${a.id}</code><br>${when(a.createdAt)}</td>
      <td>${a.principal.user}<br><span class="muted">${a.principal.roles.join(', ')}</span></td>
      <td><code>${a.target}</code><br><span class="muted">${a.rule ?? ''}</span></td>
      <td><pre>${args(a.arguments)}</pre></td>
      <td class="nowrap">${when(a.expiresAt)}</td>
      <td><form method="post" action="${CONSOLE_PATH}/approvals/${a.id}" class="decide">
        <input type="hidden" name="csrf" value="${session.csrf}">
        <label class="skip" for="note-${a.id}">Note for ${a.id}</label>
        <input id="note-${a.id}" name="note" maxlength="2000" placeholder="Note (optional)">
        <button type="submit" name="verdict" value="approve" aria-label="Approve ${a.id}">Approve</button>
        <button type="submit" name="verdict" value="deny" class="danger" aria-label="Deny ${a.id}">Deny</button>
      </form></td></tr>`,
  )}`;
}

export function approvalsPage(options: {
  session: ConsoleSession;
  pending: readonly ApprovalRequest[];
  history: readonly ApprovalRequest[];
  error?: string;
  done?: string;
}): Markup {
  const { session } = options;
  return consolePage({
    title: 'Approvals',
    session,
    current: 'approvals',
    script: 'approvals.js',
    body: html`<h1>Approvals</h1>
      ${alert(options.error)}${notice(options.done)}
      <section class="card" aria-labelledby="pending-h">
        <h2 id="pending-h">Waiting for a decision</h2>
        <table><thead><tr><th scope="col">Request</th><th scope="col">Caller</th><th scope="col">Call and rule</th>
        <th scope="col">Arguments (redacted)</th><th scope="col">Expires</th><th scope="col">Decide</th></tr></thead>
        <tbody id="pending" aria-live="polite">${pendingRows(options.pending, session)}</tbody></table>
      </section>
      <section class="card" aria-labelledby="history-h">
        <h2 id="history-h">Decided and expired</h2>
        <table><thead><tr><th scope="col">Request</th><th scope="col">Caller</th><th scope="col">Call</th>
        <th scope="col">Status</th><th scope="col">By</th><th scope="col">Note</th></tr></thead><tbody>
        ${options.history.map(
          (a) => html`<tr><td class="nowrap"><code>${a.id}</code><br>${when(a.decidedAt ?? a.createdAt)}</td>
          <td>${a.principal.user}</td><td><code>${a.target}</code></td><td>${badge(a.status)}</td>
          <td>${a.decidedBy ?? ''}</td><td>${a.note ?? ''}</td></tr>`,
        )}
        </tbody></table>
      </section>`,
  });
}

/** Re-fetches the pending rows every few seconds while the page is open (no inline script: CSP). */
export const APPROVALS_SCRIPT = `
const body = document.getElementById('pending');
async function refresh() {
  if (document.activeElement && body.contains(document.activeElement)) return; // not while typing a note
  const response = await fetch('${CONSOLE_PATH}/approvals/pending', { headers: { accept: 'text/html' } });
  if (response.ok) body.innerHTML = await response.text();
}
setInterval(() => { refresh().catch(() => {}); }, 3000);
`;
