/**
 * The traffic page: request rate, latency percentiles and error rate over time — all requests,
 * per role and per tool — drawn from the gateway's metrics history (sampled every 10 s, kept an
 * hour). Charts are server-side SVG with their numbers in tables; the charts refresh live.
 */
import { html } from 'hono/html';
import { busiest, overall, type Point, type Sample, series } from '../../observability/metrics-history.ts';
import { type Dimension, errorRate, quantile } from '../../observability/metrics-read.ts';
import { duration, percent, perSecond, span } from './console-figures.ts';
import { CONSOLE_PATH, consolePage, type Markup } from './console-layout.ts';
import type { ConsoleSession } from './console-sessions.ts';
import { type ChartSeries, lineChart } from './svg-chart.ts';

export const WINDOWS = { '5m': 5 * 60_000, '15m': 15 * 60_000, '1h': 60 * 60_000 } as const;
export type WindowName = keyof typeof WINDOWS;
export const DEFAULT_WINDOW: WindowName = '15m';
/** Lines per chart: the busiest roles or tools (the table lists them all). */
const LINES = 6;
const MAX_POINTS = 60;

export interface TrafficView {
  window: WindowName;
  samples: readonly Sample[];
  sampleEveryMs: number;
  keepMs: number;
}

const GROUP_NAMES: Record<Dimension, string> = { role: 'role', tool: 'tool', upstream: 'upstream' };
const COLUMN_NAMES: Record<Dimension, string> = { role: 'Role', tool: 'Tool', upstream: 'Upstream' };

function shown(dimension: Dimension, key: string): string {
  return dimension === 'role' && key === '' ? '(no role)' : key;
}

type Measure = { title: string; pick: (p: Point) => number | null; format: (v: number) => string };

const RATE: Measure = { title: 'Requests per second', pick: (p) => p.rate, format: perSecond };
const P99: Measure = { title: 'p99 latency', pick: (p) => p.p99, format: duration };
const ERRORS: Measure = { title: 'Error rate', pick: (p) => p.errorRate, format: percent };

function chartOf(
  id: string,
  measure: Measure,
  lines: { name: string; points: Point[] }[],
  what: string,
): Markup {
  const times = (lines[0]?.points ?? []).map((p) => p.to);
  const chartSeries: ChartSeries[] = lines.map((l) => ({ name: l.name, values: l.points.map(measure.pick) }));
  return lineChart({
    id,
    title: `${measure.title}${what}`,
    times,
    series: chartSeries,
    format: measure.format,
  });
}

function totalCharts(view: TrafficView): Markup {
  const points = series(view.samples, 'total', '', MAX_POINTS);
  const latency: ChartSeries[] = [
    { name: 'p50', values: points.map((p) => p.p50) },
    { name: 'p99', values: points.map((p) => p.p99) },
  ];
  return html`<div class="charts">
${chartOf('total-rate', RATE, [{ name: 'all requests', points }], '')}
${lineChart({ id: 'total-latency', title: 'Latency (p50 and p99)', times: points.map((p) => p.to), series: latency, format: duration })}
${chartOf('total-errors', ERRORS, [{ name: 'all requests', points }], '')}
</div>`;
}

function groupTable(view: TrafficView, dimension: Dimension): Markup {
  const last = view.samples[view.samples.length - 1];
  const first = view.samples[0];
  const seconds = first !== undefined && last !== undefined ? Math.max((last.at - first.at) / 1000, 1) : 1;
  const keys = busiest(view.samples, dimension, Number.MAX_SAFE_INTEGER);
  if (keys.length === 0) return html`<p class="muted">No requests in this window.</p>`;
  return html`<table><thead><tr><th scope="col">${COLUMN_NAMES[dimension]}</th><th scope="col">Requests</th><th scope="col">Rate</th>
<th scope="col">p50</th><th scope="col">p99</th><th scope="col">Error rate</th></tr></thead><tbody>
${keys.map((key) => {
  const t = overall(view.samples, dimension, key);
  return html`<tr id="${dimension}-${key}"><th scope="row">${dimension === 'tool' ? html`<code>${key}</code>` : shown(dimension, key)}</th><td>${t.count}</td><td>${perSecond(t.count / seconds)}</td>
<td>${duration(quantile(t, 0.5))}</td><td>${duration(quantile(t, 0.99))}</td><td>${percent(errorRate(t))}</td></tr>`;
})}</tbody></table>`;
}

function groupSection(view: TrafficView, dimension: Dimension, heading: string): Markup {
  const keys = busiest(view.samples, dimension, LINES);
  const lines = keys.map((key) => ({
    name: shown(dimension, key),
    points: series(view.samples, dimension, key, MAX_POINTS),
  }));
  const what = keys.length === 0 ? '' : ` by ${GROUP_NAMES[dimension]}`;
  return html`<section class="card" aria-labelledby="${dimension}-h"><h2 id="${dimension}-h">${heading}</h2>
${groupTable(view, dimension)}
${
  keys.length === 0
    ? ''
    : html`<p class="muted">Charts: the ${keys.length === 1 ? `only ${GROUP_NAMES[dimension]}` : `${keys.length} busiest`}.</p><div class="charts">
${chartOf(`${dimension}-rate`, RATE, lines, what)}
${chartOf(`${dimension}-p99`, P99, lines, what)}
${chartOf(`${dimension}-errors`, ERRORS, lines, what)}
</div>`
}
</section>`;
}

/** Everything that changes over time (also served alone, for the refresh). */
export function trafficLive(view: TrafficView): Markup {
  const total = overall(view.samples, 'total');
  const step = Math.max(1, Math.ceil((view.samples.length - 1) / MAX_POINTS));
  return html`<p class="muted">The last ${span(WINDOWS[view.window])}: ${total.count} requests, ${percent(errorRate(total))} failed.
Each point covers ${span(step * view.sampleEveryMs)} (the last one, up to now).</p>
<section class="card" aria-labelledby="total-h"><h2 id="total-h">All requests</h2>${totalCharts(view)}</section>
${groupSection(view, 'role', 'By role')}
${groupSection(view, 'tool', 'By tool')}`;
}

export function trafficPage(options: { session: ConsoleSession; view: TrafficView }): Markup {
  const { view } = options;
  return consolePage({
    title: 'Traffic',
    session: options.session,
    current: 'traffic',
    script: 'traffic.js',
    body: html`<h1>Traffic</h1>
<p>From the gateway's own metrics (the request histograms /metrics exposes), sampled every ${span(view.sampleEveryMs)} and kept for ${span(view.keepMs)}, in this gateway process only. Refreshed every ${span(view.sampleEveryMs)}.
A request fails when it ends in anything but an answer, a question back to the caller or a call queued for approval; a caller with two roles counts under each.</p>
<form method="get" action="${CONSOLE_PATH}/traffic" class="row">
<div class="shrink"><label for="window">Window</label>
<select id="window" name="window">${Object.keys(WINDOWS).map((w) => html`<option value="${w}"${w === view.window ? ' selected' : ''}>the last ${span(WINDOWS[w as WindowName])}</option>`)}</select></div>
<div class="shrink"><button type="submit">Show</button></div></form>
<div id="traffic-live" data-live-src="${CONSOLE_PATH}/traffic/live?window=${view.window}" data-live-every="${view.sampleEveryMs}">${trafficLive(view)}</div>`,
  });
}
