/**
 * The tool-definition changes page: every pending pin change with its field-by-field diff (the
 * same definitionDiff `gatehouse pins diff` prints) and an Approve button, then every pin, as
 * `gatehouse pins list` shows them. Everything shown is escaped by `html`.
 */
import { html } from 'hono/html';
import { definitionDiff } from '../../pins/diff.ts';
import type { PendingChange, PinInfo } from '../../pins/store.ts';
import { alert, CONSOLE_PATH, consolePage, type Markup, notice, when } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

export interface PinsPageOptions {
  session: ConsoleSession;
  /** null: no upstream pins its tools in this configuration. */
  pins: { pins: PinInfo[]; pending: PendingChange[] } | null;
  /** Upstreams whose pinning is off (their pins are kept but not enforced). */
  unpinned: ReadonlySet<string>;
  error?: string;
  done?: string;
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

function origin(pin: PinInfo): string {
  return pin.approvedBy === null ? 'first use' : `approved by ${pin.approvedBy}`;
}

function diffLine(line: string): Markup {
  if (line.startsWith('+')) return html`<ins>${line}\n</ins>`;
  if (line.startsWith('-')) return html`<del>${line}\n</del>`;
  return html`<span>${line}\n</span>`;
}

function changeCard(session: ConsoleSession, pin: PinInfo | undefined, change: PendingChange): Markup {
  const ref = `${change.upstream}/${change.tool}`;
  const id = `change-${ref.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const fields = pin === undefined ? [] : definitionDiff(pin.definition, change.definition);
  return html`<section class="card" aria-labelledby="${id}"><h3 id="${id}"><code>${ref}</code></h3>
<p>Pinned <code>${short(change.pinnedHash)}</code>${pin === undefined ? '' : html` (${when(pin.pinnedAt)}, ${origin(pin)})`};
pending <code>${short(change.hash)}</code>, first seen ${when(change.firstSeen)}. Changed: ${change.fields.join(', ')}.</p>
${fields.map(
  (f) => html`<h4>${f.field}${f.change === 'changed' ? '' : ` (${f.change})`}</h4>
<pre class="diff" aria-label="${f.field} of ${ref}: lines starting - are pinned, + pending">${f.lines.map(diffLine)}</pre>`,
)}
<form method="post" action="${CONSOLE_PATH}/pins/approve">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <input type="hidden" name="upstream" value="${change.upstream}"><input type="hidden" name="tool" value="${change.tool}">
  <input type="hidden" name="hash" value="${change.hash}">
  <button type="submit" aria-label="Approve ${ref}">Approve</button>
  <span class="muted">as ${session.principal.user}: the pending definition becomes the pin and is served at once.</span>
</form></section>`;
}

function pinsTable(
  pins: readonly PinInfo[],
  pending: readonly PendingChange[],
  unpinned: ReadonlySet<string>,
): Markup {
  const changed = new Set(pending.map((c) => `${c.upstream}/${c.tool}`));
  return html`<section class="card" aria-labelledby="all-h"><h2 id="all-h">Pinned tools (${pins.length})</h2>
<table><thead><tr><th scope="col">Tool</th><th scope="col">Status</th><th scope="col">Pinned hash</th><th scope="col">Pinned</th><th scope="col">Origin</th></tr></thead><tbody>
${pins.map(
  (p) => html`<tr><td><code>${p.upstream}/${p.tool}</code></td>
<td>${changed.has(`${p.upstream}/${p.tool}`) ? html`<span class="pending">changed</span>` : 'ok'}${unpinned.has(p.upstream) ? ' (pinning off for this upstream)' : ''}</td>
<td><code>${short(p.hash)}</code></td><td class="nowrap">${when(p.pinnedAt)}</td><td>${origin(p)}</td></tr>`,
)}
</tbody></table></section>`;
}

export function pinsPage(options: PinsPageOptions): Markup {
  const { session, pins } = options;
  const body =
    pins === null
      ? html`<h1>Tool-definition changes</h1>${alert(options.error)}<div class="notice" role="note">Tool pinning is off in this configuration (<code>pinning.enabled: false</code>, or <code>pinning: false</code> on every upstream): tool definitions are not pinned and nothing waits for approval.</div>`
      : html`<h1>Tool-definition changes</h1>
${alert(options.error)}${notice(options.done)}
<h2>Pending changes (${pins.pending.length})</h2>
${
  pins.pending.length === 0
    ? html`<p class="muted">No pending changes: every tool is served as pinned.</p>`
    : pins.pending.map((c) =>
        changeCard(
          session,
          pins.pins.find((p) => p.upstream === c.upstream && p.tool === c.tool),
          c,
        ),
      )
}
${pinsTable(pins.pins, pins.pending, options.unpinned)}`;
  return consolePage({ title: 'Tool-definition changes', session, current: 'pins', body });
}
