/**
 * Renders a benchmark's ChartSpec as a small, self-contained SVG bar chart for bench/charts/:
 * horizontal bars (labels of any length stay readable), a value axis with "nice" ticks and grid
 * lines, a value label per bar, min–max whiskers, an optional dashed reference line, and bars
 * clustered under a header per `group` (coloured by label, so a label keeps its colour in every
 * group). A white background keeps it readable in GitHub's dark mode. Pure and deterministic:
 * the same spec always gives the same bytes (no dates, no randomness, fixed number formatting).
 */
import type { ChartSpec } from './results.ts';

const WIDTH = 720;
const PAD = 16;
const TITLE_HEIGHT = 48;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const GROUP_HEADER = 22;
const AXIS_HEIGHT = 40;
const VALUE_ROOM = 76;
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const TEXT = '#1f2328';
const MUTED = '#59636e';
const GRID = '#d8dee4';
/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7f7f7f', '#000000'];

type Series = ChartSpec['series'][number];

/** Text safe inside an SVG element or attribute. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A coordinate with at most one decimal, no trailing zeros ("12", "12.5"). */
function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A whole number with thousands separators ("12,345"), independent of the locale. */
function withThousands(n: number): string {
  const grouped = Math.abs(Math.round(n))
    .toFixed(0)
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}`;
}

/** A value as a label: thousands separators from 1,000, about three significant digits below. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return withThousands(Math.round(value));
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1 || abs === 0) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

function tickLabel(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return Math.abs(value) >= 1000 ? withThousands(value) : value.toFixed(decimals);
}

/** Rough width of a label in px at `size` (deterministic, no font metrics needed). */
function textWidth(text: string, size: number): number {
  return [...text].length * size * 0.56;
}

function truncate(text: string, maxWidth: number, size: number): string {
  const chars = [...text];
  const fit = Math.floor(maxWidth / (size * 0.56));
  return chars.length <= fit ? text : `${chars.slice(0, Math.max(1, fit - 1)).join('')}…`;
}

/** The values every bar, whisker and reference must fit. */
function domain(spec: ChartSpec): [number, number] {
  const values = [0];
  for (const s of spec.series) values.push(s.value, s.min ?? Number.NaN, s.max ?? Number.NaN);
  if (spec.reference) values.push(spec.reference.value);
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (hi === lo) return [lo, lo + 1];
  const ticks = niceTicks(lo, hi);
  return [Math.min(lo, ticks[0] as number), Math.max(hi, ticks[ticks.length - 1] as number)];
}

interface Row {
  kind: 'group' | 'bar';
  y: number;
  text: string;
  series?: Series;
}

/** Rows top to bottom: a header where the group changes, then one row per bar. */
function layoutRows(series: Series[], top: number): { rows: Row[]; bottom: number } {
  const rows: Row[] = [];
  let y = top;
  let group: string | undefined;
  for (const s of series) {
    if (s.group !== undefined && s.group !== group) {
      if (rows.length) y += BAR_GAP;
      rows.push({ kind: 'group', y, text: s.group });
      y += GROUP_HEADER;
    }
    group = s.group;
    rows.push({ kind: 'bar', y, text: s.label, series: s });
    y += BAR_HEIGHT + BAR_GAP;
  }
  return { rows, bottom: y };
}

function colourOf(spec: ChartSpec): (label: string) => string {
  const grouped = spec.series.some((s) => s.group !== undefined);
  const labels = [...new Set(spec.series.map((s) => s.label))];
  return (label) =>
    grouped ? (PALETTE[labels.indexOf(label) % PALETTE.length] as string) : (PALETTE[0] as string);
}

function barElements(row: Row, x: (v: number) => number, colour: string, labelX: number): string[] {
  const s = row.series as Series;
  const out: string[] = [];
  const mid = row.y + BAR_HEIGHT / 2;
  out.push(
    `<text x="${px(labelX)}" y="${px(mid + 4)}" text-anchor="end" fill="${TEXT}">${escapeXml(row.text)}</text>`,
  );
  let rightmost = x(0);
  if (Number.isFinite(s.value)) {
    const a = x(Math.min(0, s.value));
    const b = x(Math.max(0, s.value));
    out.push(
      `<rect x="${px(a)}" y="${px(row.y)}" width="${px(Math.max(b - a, 0.5))}" height="${BAR_HEIGHT}" fill="${colour}" rx="2"><title>${escapeXml(`${s.label}: ${formatValue(s.value)}`)}</title></rect>`,
    );
    rightmost = Math.max(rightmost, b);
  }
  if (s.min !== undefined && s.max !== undefined && Number.isFinite(s.min) && Number.isFinite(s.max)) {
    const a = x(s.min);
    const b = x(s.max);
    out.push(
      `<g class="whisker" stroke="${TEXT}" stroke-width="1.5"><line x1="${px(a)}" y1="${px(mid)}" x2="${px(b)}" y2="${px(mid)}"/>` +
        `<line x1="${px(a)}" y1="${px(mid - 5)}" x2="${px(a)}" y2="${px(mid + 5)}"/>` +
        `<line x1="${px(b)}" y1="${px(mid - 5)}" x2="${px(b)}" y2="${px(mid + 5)}"/></g>`,
    );
    rightmost = Math.max(rightmost, b);
  }
  out.push(
    `<text x="${px(rightmost + 5)}" y="${px(mid + 4)}" fill="${TEXT}">${escapeXml(formatValue(s.value))}</text>`,
  );
  return out;
}

function axisElements(spec: ChartSpec, x: (v: number) => number, top: number, bottom: number): string[] {
  const [lo, hi] = domain(spec);
  const ticks = niceTicks(lo, hi).filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9);
  const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : 1;
  const out: string[] = [];
  for (const t of ticks) {
    out.push(
      `<line x1="${px(x(t))}" y1="${px(top)}" x2="${px(x(t))}" y2="${px(bottom + 4)}" stroke="${GRID}"/>`,
      `<text x="${px(x(t))}" y="${px(bottom + 17)}" text-anchor="middle" fill="${MUTED}" font-size="11">${escapeXml(tickLabel(t, step))}</text>`,
    );
  }
  out.push(
    `<line x1="${px(x(lo))}" y1="${px(bottom)}" x2="${px(x(hi))}" y2="${px(bottom)}" stroke="${MUTED}"/>`,
    `<text x="${px((x(lo) + x(hi)) / 2)}" y="${px(bottom + 33)}" text-anchor="middle" fill="${MUTED}" font-size="11">${escapeXml(spec.unit)}</text>`,
  );
  return out;
}

function referenceElements(spec: ChartSpec, x: (v: number) => number, top: number, bottom: number): string[] {
  const ref = spec.reference;
  if (!ref || !Number.isFinite(ref.value)) return [];
  const at = x(ref.value);
  const label = `${ref.label} (${formatValue(ref.value)})`;
  const anchor = at > WIDTH / 2 ? 'end' : 'start';
  const offset = anchor === 'end' ? -4 : 4;
  return [
    `<line class="reference" x1="${px(at)}" y1="${px(top - 6)}" x2="${px(at)}" y2="${px(bottom)}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="${px(at + offset)}" y="${px(top - 9)}" text-anchor="${anchor}" fill="#cf222e" font-size="11">${escapeXml(label)}</text>`,
  ];
}

function subtitle(spec: ChartSpec): string {
  const whiskers = spec.series.some((s) => s.min !== undefined && s.max !== undefined);
  return whiskers ? `${spec.unit}; bars: median, whiskers: min–max` : spec.unit;
}

/** The chart as an SVG document (one line per element, ending with a newline). */
export function renderChart(spec: ChartSpec): string {
  const labelWidth = Math.min(260, Math.max(60, ...spec.series.map((s) => textWidth(s.label, 12))));
  const labelX = PAD + labelWidth;
  const plotLeft = labelX + 10;
  const plotRight = WIDTH - PAD - VALUE_ROOM;
  const top = TITLE_HEIGHT + (spec.reference ? 16 : 0);
  const { rows, bottom: rowsBottom } = layoutRows(spec.series, top);
  const bottom = Math.max(rowsBottom, top + BAR_HEIGHT);
  const height = bottom + AXIS_HEIGHT + PAD / 2;
  const [lo, hi] = domain(spec);
  const x = (v: number) => plotLeft + ((v - lo) / (hi - lo)) * (plotRight - plotLeft);
  const colour = colourOf(spec);

  const body: string[] = [
    `<rect width="${WIDTH}" height="${px(height)}" fill="#ffffff" stroke="${GRID}" rx="6"/>`,
    `<text x="${PAD}" y="24" font-size="15" font-weight="600" fill="${TEXT}">${escapeXml(truncate(spec.title, WIDTH - 2 * PAD, 15))}</text>`,
    `<text x="${PAD}" y="40" font-size="11" fill="${MUTED}">${escapeXml(subtitle(spec))}</text>`,
    ...axisElements(spec, x, top, bottom),
  ];
  for (const row of rows) {
    if (row.kind === 'group') {
      body.push(
        `<text x="${PAD}" y="${px(row.y + 15)}" font-weight="600" fill="${TEXT}">${escapeXml(truncate(row.text, WIDTH - 2 * PAD, 12))}</text>`,
      );
    } else {
      const shown = { ...row, text: truncate(row.text, labelWidth, 12) };
      body.push(...barElements(shown, x, colour(row.text), labelX));
    }
  }
  body.push(...referenceElements(spec, x, top, bottom));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${px(height)}" width="${WIDTH}" height="${px(height)}" font-family="${FONT}" font-size="12" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    ...body.map((line) => `  ${line}`),
    '</svg>',
    '',
  ].join('\n');
}
