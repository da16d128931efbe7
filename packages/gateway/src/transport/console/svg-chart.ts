/**
 * Line charts drawn on the server as SVG (nothing to load, nothing inline the CSP would block:
 * colours are presentation attributes). Each chart is an image with a title and a description
 * saying what it shows, and its numbers follow in a table for anyone who cannot see it.
 */
import { html } from 'hono/html';
import type { Markup } from './console-layout.ts';

export interface ChartSeries {
  name: string;
  values: readonly (number | null)[];
}

export interface Chart {
  id: string;
  title: string;
  /** The end time (ms) of each point. */
  times: readonly number[];
  series: readonly ChartSeries[];
  format: (value: number) => string;
}

/** Distinct for the common kinds of colour blindness (Okabe–Ito), dark enough on white. */
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#7a5c00', '#56429b'];
const WIDTH = 400;
const HEIGHT = 170;
const LEFT = 58;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 26;

export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** A round upper bound for the y axis (1, 2 or 5 times a power of ten). */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function paths(chart: Chart, yMax: number): { colour: string; d: string; dots: [number, number][] }[] {
  const n = chart.times.length;
  const x = (i: number) =>
    LEFT + (n <= 1 ? (WIDTH - LEFT - RIGHT) / 2 : (i * (WIDTH - LEFT - RIGHT)) / (n - 1));
  const y = (v: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / yMax);
  return chart.series.map((s, index) => {
    let d = '';
    let pen = false;
    const dots: [number, number][] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      const lonely = !pen && (s.values[i + 1] ?? null) === null;
      if (lonely) dots.push([x(i), y(v)]);
      pen = true;
    });
    return { colour: COLOURS[index % COLOURS.length] as string, d: d.trim(), dots };
  });
}

function describe(chart: Chart): string {
  if (chart.times.length === 0) return 'No samples yet.';
  const parts = chart.series.map((s) => {
    const known = s.values.filter((v): v is number => v !== null);
    if (known.length === 0) return `${s.name}: no requests`;
    const last = s.values[s.values.length - 1];
    return `${s.name}: highest ${chart.format(Math.max(...known))}, latest ${last === null || last === undefined ? 'no requests' : chart.format(last)}`;
  });
  return `From ${clock(chart.times[0] as number)} to ${clock(chart.times[chart.times.length - 1] as number)} UTC. ${parts.join('; ')}.`;
}

function dataTable(chart: Chart): Markup {
  return html`<details><summary>${chart.title}: the numbers</summary>
<table><thead><tr><th scope="col">Until (UTC)</th>${chart.series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
<tbody>${chart.times.map(
    (t, i) =>
      html`<tr><th scope="row">${clock(t)}</th>${chart.series.map((s) => {
        const v = s.values[i];
        return html`<td>${v === null || v === undefined ? '–' : chart.format(v)}</td>`;
      })}</tr>`,
  )}</tbody></table></details>`;
}

export function lineChart(chart: Chart): Markup {
  const known = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yMax = niceMax(Math.max(0, ...known));
  const grid = [0, 0.5, 1].map((f) => ({
    y: TOP + (HEIGHT - TOP - BOTTOM) * (1 - f),
    label: chart.format(yMax * f),
  }));
  const first = chart.times[0];
  const last = chart.times[chart.times.length - 1];
  return html`<figure class="chart">
<figcaption id="${chart.id}-t">${chart.title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${chart.id}-t ${chart.id}-d" class="chart-svg">
<desc id="${chart.id}-d">${describe(chart)}</desc>
${grid.map(
  (g) =>
    html`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${g.y}" y2="${g.y}" stroke="#d0d7de"/><text x="${LEFT - 6}" y="${g.y + 4}" text-anchor="end" font-size="12" fill="#57606a">${g.label}</text>`,
)}
${first === undefined || last === undefined ? '' : html`<text x="${LEFT}" y="${HEIGHT - 6}" font-size="12" fill="#57606a">${clock(first)}</text><text x="${WIDTH - RIGHT}" y="${HEIGHT - 6}" text-anchor="end" font-size="12" fill="#57606a">${clock(last)}</text>`}
${paths(chart, yMax).map(
  (p) =>
    html`${p.d === '' ? '' : html`<path d="${p.d}" fill="none" stroke="${p.colour}" stroke-width="2"/>`}${p.dots.map(([x, y]) => html`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${p.colour}"/>`)}`,
)}
</svg>
<ul class="legend">${chart.series.map(
    (s, i) =>
      html`<li><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${COLOURS[i % COLOURS.length]}"/></svg> ${s.name}</li>`,
  )}</ul>
${dataTable(chart)}
</figure>`;
}
