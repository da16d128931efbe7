/**
 * The audit page: the committed records, newest first, filtered as `gatehouse audit query` filters
 * them (the same store query); one record with its place on the hash chain; the whole chain
 * verified as `gatehouse audit verify` does; and the filtered records exported as JSON lines.
 */
import { html } from 'hono/html';
import type { AuditRecord } from '../../audit/event.ts';
import type { AuditQuery } from '../../audit/store.ts';
import type { VerifyResult } from '../../audit/verify.ts';
import { badge, CONSOLE_PATH, consolePage, type Markup, when } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

const STATUSES = ['ok', 'error', 'tool_error', 'denied', 'input_required', 'awaiting_approval'] as const;
const DECISIONS = ['allow', 'deny', 'none'] as const;
export const AUDIT_PAGE_SIZE = 100;

/** The page's filters from its query string, as the store's query (bad values are dropped). */
export function auditFilter(params: URLSearchParams, limit = AUDIT_PAGE_SIZE): AuditQuery {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value.slice(0, 200);
  };
  const time = (name: string) => {
    const value = text(name);
    return value !== undefined && !Number.isNaN(Date.parse(value))
      ? new Date(value).toISOString()
      : undefined;
  };
  const status = text('status');
  const decision = text('decision');
  const filter: AuditQuery = { limit };
  const principal = text('who');
  const target = text('target');
  const words = text('text');
  const since = time('since');
  const until = time('until');
  if (principal !== undefined) filter.principal = principal;
  if (target !== undefined) filter.target = target;
  if (words !== undefined) filter.text = words;
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (status !== undefined && (STATUSES as readonly string[]).includes(status))
    filter.status = status as AuditQuery['status'];
  if (decision !== undefined && (DECISIONS as readonly string[]).includes(decision)) {
    filter.decision = decision as AuditQuery['decision'];
  }
  return filter;
}

function option(value: string, chosen: string | undefined): Markup {
  return html`<option${value === chosen ? html` selected` : ''}>${value}</option>`;
}

function verifyLine(result: VerifyResult | undefined): Markup | string {
  if (result === undefined) return '';
  return result.ok
    ? html`<div class="notice" role="status">The chain verifies: ${result.count} records, head ${result.head === null ? 'empty' : `#${result.head.seq} ${result.head.hash.slice(0, 16)}…`}.</div>`
    : html`<div class="alert" role="alert">The chain does not verify after ${result.count} records: ${JSON.stringify(result.firstBad)}</div>`;
}

export function auditPage(options: {
  session: ConsoleSession;
  params: URLSearchParams;
  records: readonly AuditRecord[];
  verified?: VerifyResult;
}): Markup {
  const { session, params, records } = options;
  const value = (name: string) => params.get(name) ?? '';
  const exportHref = `${CONSOLE_PATH}/audit/export?${params.toString()}`;
  return consolePage({
    title: 'Audit',
    session,
    current: 'audit',
    body: html`<h1>Audit</h1>
      ${verifyLine(options.verified)}
      <section class="card" aria-labelledby="filter-h"><h2 id="filter-h">Search</h2>
        <form method="get" action="${CONSOLE_PATH}/audit" class="row">
          <div><label for="who">Who (user or principal id)</label><input id="who" name="who" value="${value('who')}"></div>
          <div><label for="target">Tool or target (* matches any run)</label><input id="target" name="target" value="${value('target')}"></div>
          <div class="shrink"><label for="decision">Decision</label><select id="decision" name="decision"><option value="">any</option>${DECISIONS.map((d) => option(d, value('decision')))}</select></div>
          <div class="shrink"><label for="status">Status</label><select id="status" name="status"><option value="">any</option>${STATUSES.map((s) => option(s, value('status')))}</select></div>
          <div><label for="text">Text in the arguments</label><input id="text" name="text" value="${value('text')}" maxlength="200" placeholder="D-1042"></div>
          <div><label for="since">From (ISO time)</label><input id="since" name="since" value="${value('since')}" placeholder="2026-12-07T00:00"></div>
          <div><label for="until">Until</label><input id="until" name="until" value="${value('until')}"></div>
          <div class="shrink"><button type="submit">Search</button></div>
        </form>
        <div class="row"><p class="muted">${records.length} record(s), newest first (at most ${AUDIT_PAGE_SIZE}). <a href="${exportHref}">Export these as JSON lines</a></p>
        <form method="post" action="${CONSOLE_PATH}/audit/verify" class="shrink"><input type="hidden" name="csrf" value="${session.csrf}"><button class="secondary" type="submit">Verify the chain</button></form></div>
      </section>
      <section class="card" aria-labelledby="records-h"><h2 id="records-h">Records</h2>
        <table><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Method and target</th>
        <th scope="col">Decision</th><th scope="col">Status</th><th scope="col">ms</th></tr></thead><tbody>
        ${records.map(
          (
            r,
          ) => html`<tr><td><a href="${CONSOLE_PATH}/audit/${r.seq}">${r.seq}</a></td><td class="nowrap">${when(r.time)}</td>
          <td>${r.principal?.user ?? '—'}</td><td>${r.method} <code>${r.target ?? ''}</code></td>
          <td>${badge(r.decision)}</td><td>${badge(r.status)}</td><td>${Math.round(r.latencyMs)}</td></tr>`,
        )}
        </tbody></table></section>`,
  });
}

export function auditRecordPage(options: { session: ConsoleSession; record: AuditRecord }): Markup {
  const { session, record } = options;
  return consolePage({
    title: `Audit record ${record.seq}`,
    session,
    current: 'audit',
    body: html`<p><a href="${CONSOLE_PATH}/audit">← All records</a></p>
      <h1>Audit record #${record.seq}</h1>
      <section class="card" aria-label="Place on the hash chain"><table><tbody>
        <tr><th scope="row">Sequence</th><td>${record.seq}</td></tr>
        <tr><th scope="row">Previous hash</th><td><code>${record.prevHash}</code></td></tr>
        <tr><th scope="row">Hash</th><td><code>${record.hash}</code></td></tr>
      </tbody></table></section>
      <section class="card" aria-label="The record"><pre>${JSON.stringify({ ...record, seq: undefined, hash: undefined, prevHash: undefined }, null, 2)}</pre></section>`,
  });
}
