/**
 * The upstreams page: each upstream's connection state and last error, its circuit breaker and
 * restarts as the gateway holds them (the same readiness /readyz reports), and its calls, latency
 * and error rate over the last minutes read from the gateway's metrics — refreshed live by
 * /console/assets/upstreams.js. One upstream's page adds its resilience counters and its tools.
 */
import { html } from 'hono/html';
import type { Readiness } from '../../gateway.ts';
import { errorRate, quantile, type Tally } from '../../observability/metrics-read.ts';
import { duration, percent, span } from './console-figures.ts';
import { badge, CONSOLE_PATH, consolePage, type Markup } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';

export type ReadinessUpstream = Readiness['upstreams'][number];

export interface UpstreamRow extends ReadinessUpstream {
  restarts: number;
  transport: 'stdio' | 'http';
  /** Its requests over the recent window; null when metrics are off. */
  recent: Tally | null;
}

export interface RecentWindow {
  ms: number;
}

function figures(recent: Tally | null): Markup {
  if (recent === null) return html`<td colspan="4" class="muted">metrics off</td>`;
  return html`<td>${recent.count}</td><td>${duration(quantile(recent, 0.5))}</td><td>${duration(quantile(recent, 0.99))}</td><td>${percent(errorRate(recent))}</td>`;
}

function readinessLine(readiness: Readiness): Markup {
  const failing = readiness.upstreams.filter((u) => u.required && u.state !== 'ready').map((u) => u.name);
  const checks = Object.entries(readiness.checks).map(([check, ok]) => `${check} ${ok ? 'ok' : 'failing'}`);
  return html`<p class="readiness">Readiness (/readyz): ${badge(readiness.ready ? 'ready' : 'not-ready')}
    <span class="muted">${checks.join(' · ')}${failing.length > 0 ? ` — required and not ready: ${failing.join(', ')}` : ''}</span></p>`;
}

/** The live part: readiness and one row per upstream (also served alone, for the refresh). */
export function upstreamsLive(
  readiness: Readiness,
  rows: readonly UpstreamRow[],
  window: RecentWindow,
): Markup {
  return html`${readinessLine(readiness)}
<table><caption class="muted">Calls, latency and error rate: the last ${span(window.ms)}, from the gateway's metrics.</caption>
<thead><tr><th scope="col">Upstream</th><th scope="col">State</th><th scope="col">Circuit breaker</th><th scope="col">Restarts</th>
<th scope="col">Calls</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">Error rate</th><th scope="col">Last error</th></tr></thead>
<tbody>${rows.map(
    (u) => html`<tr id="upstream-${u.name}">
  <th scope="row"><a href="${CONSOLE_PATH}/upstreams/${encodeURIComponent(u.name)}">${u.name}</a><br><span class="muted">${u.transport}${u.required ? ' · required' : ''}</span></th>
  <td>${badge(u.state)}</td><td>${badge(u.breaker)}</td><td>${u.restarts}</td>${figures(u.recent)}
  <td class="wrap">${u.error ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

export function upstreamsPage(options: {
  session: ConsoleSession;
  readiness: Readiness;
  rows: readonly UpstreamRow[];
  window: RecentWindow;
}): Markup {
  return consolePage({
    title: 'Upstreams',
    session: options.session,
    current: 'upstreams',
    script: 'upstreams.js',
    body: html`<h1>Upstreams</h1>
<p class="muted">Refreshed every 3 seconds. A failed call counts in the error rate whatever failed — the upstream, a refusal, or the tool's own error.</p>
<section class="card" aria-labelledby="upstreams-h">
<h2 id="upstreams-h">State and traffic</h2>
<div id="upstreams-live" data-live-src="${CONSOLE_PATH}/upstreams/live" data-live-every="3000">${upstreamsLive(options.readiness, options.rows, options.window)}</div>
</section>`,
  });
}

export interface UpstreamDetail {
  row: UpstreamRow;
  pid: number | null;
  active: number;
  queued: number;
  counters: { label: string; value: number }[];
  tools: { name: string; recent: Tally }[];
  settings: { label: string; value: string }[];
}

export function upstreamPage(options: {
  session: ConsoleSession;
  detail: UpstreamDetail;
  window: RecentWindow;
}): Markup {
  const { row, tools } = options.detail;
  const facts: [string, Markup | string | number][] = [
    ['State', badge(row.state)],
    ['Circuit breaker', badge(row.breaker)],
    ['Transport', row.transport],
    ['Required for readiness', row.required ? 'yes' : 'no'],
    ['Protocol era', row.era ?? '–'],
    ['Process id', options.detail.pid ?? '–'],
    ['Restarts', row.restarts],
    ['Calls running / waiting', `${options.detail.active} / ${options.detail.queued}`],
    ['Last error', row.error ?? '–'],
  ];
  return consolePage({
    title: `Upstream ${row.name}`,
    session: options.session,
    current: 'upstreams',
    body: html`<p><a href="${CONSOLE_PATH}/upstreams">← All upstreams</a></p>
<h1>Upstream ${row.name}</h1>
<section class="card" aria-labelledby="now-h"><h2 id="now-h">Now</h2>
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>
<section class="card" aria-labelledby="res-h"><h2 id="res-h">Resilience since the gateway started</h2>
${
  options.detail.counters.length === 0
    ? html`<p class="muted">Metrics are off in this configuration (observability.metrics.enabled).</p>`
    : html`<dl class="facts">${options.detail.counters.map((c) => html`<dt>${c.label}</dt><dd>${c.value}</dd>`)}</dl>`
}
<h3>Settings</h3>
<dl class="facts">${options.detail.settings.map((s) => html`<dt>${s.label}</dt><dd>${s.value}</dd>`)}</dl></section>
<section class="card" aria-labelledby="tools-h"><h2 id="tools-h">Tools called in the last ${span(options.window.ms)}</h2>
${
  row.recent === null
    ? html`<p class="muted">Metrics are off in this configuration (observability.metrics.enabled).</p>`
    : tools.length === 0
      ? html`<p class="muted">No tool of ${row.name} was called in the last ${span(options.window.ms)}.</p>`
      : html`<table><thead><tr><th scope="col">Tool</th><th scope="col">Calls</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">Error rate</th></tr></thead>
<tbody>${tools.map((t) => html`<tr><th scope="row"><code>${t.name}</code></th>${figures(t.recent)}</tr>`)}</tbody></table>`
}</section>`,
  });
}
