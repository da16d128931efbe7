/**
 * The benchmark report writer and chart renderer (bench/lib/report.ts, bench/lib/svg.ts): the
 * Markdown has the machine, the commands, the target summary and every table; the SVG is
 * well-formed, its bars scale with the values, whiskers and the reference line are drawn, and the
 * output is deterministic. Then a smoke run of `bench/run-all.ts` on one fast benchmark writes
 * the report and a chart. No figure is asserted: benchmarks are never timed here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isFigure, markdownCell, markdownTable } from '../../../bench/lib/markdown.ts';
import { type BenchRun, chartPath, type MachineInfo, renderReport } from '../../../bench/lib/report.ts';
import { readResult } from '../../../bench/lib/result-schema.ts';
import type { BenchResult, ChartSpec } from '../../../bench/lib/results.ts';
import { runScript } from '../../../bench/lib/run-script.ts';
import { formatValue, niceTicks, renderChart } from '../../../bench/lib/svg.ts';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

/** A tiny XML well-formedness check: one root, balanced tags, quoted attributes, escaped text. */
function assertWellFormed(xml: string): void {
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, `unescaped & in ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, />/, `stray > in ${JSON.stringify(text)}`);
    if (stack.length === 0) assert.equal(text.trim(), '', 'text outside the root element');
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [whole, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name as string);
    } else if (stack.length === 0) roots++;
    i = lt + whole.length;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
}

/** The data bars: rects with an x (the background has none), in document order. */
function bars(svg: string): { x: number; width: number }[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({
    x: Number(m[1]),
    width: Number(m[2]),
  }));
}

const SPEC: ChartSpec = {
  id: 'calls',
  title: 'Throughput <direct & gateway>',
  unit: 'calls/s',
  series: [
    { label: 'direct', value: 1000, min: 900, max: 1100 },
    { label: 'gateway', value: 2000, min: 1800, max: 2300 },
    { label: 'peer', value: 4000 },
  ],
  reference: { label: 'target', value: 3000 },
};

describe('bench charts (svg.ts)', () => {
  it('renders a well-formed SVG with a viewBox and a white background', () => {
    const svg = renderChart(SPEC);
    assertWellFormed(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 [\d.]+"/);
    assert.match(svg, /<rect width="720" height="[\d.]+" fill="#ffffff"/);
    assert.match(svg, /Throughput &lt;direct &amp; gateway&gt;/);
  });

  it('scales the bars with the values from a common origin', () => {
    const [a, b, c] = bars(renderChart(SPEC));
    assert.ok(a && b && c);
    assert.equal(a.x, b.x);
    assert.equal(b.x, c.x);
    assert.ok(Math.abs(b.width / a.width - 2) < 0.01, `${a.width} vs ${b.width}`);
    assert.ok(Math.abs(c.width / a.width - 4) < 0.01, `${a.width} vs ${c.width}`);
  });

  it('draws a min–max whisker per bar that has one, around the bar end', () => {
    const svg = renderChart(SPEC);
    const whiskers = [
      ...svg.matchAll(/<g class="whisker"[^>]*><line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/g),
    ];
    assert.equal(whiskers.length, 2);
    const [a] = bars(svg);
    const [first] = whiskers;
    assert.ok(a && first);
    const end = a.x + a.width;
    assert.ok(
      Number(first[1]) < end && end < Number(first[2]),
      `whisker ${first[1]}–${first[2]}, bar end ${end}`,
    );
  });

  it('draws the reference line with its label', () => {
    const svg = renderChart(SPEC);
    assert.match(svg, /<line class="reference" x1="[\d.]+"/);
    assert.match(svg, />target \(3,000\)</);
    assert.doesNotMatch(renderChart({ ...SPEC, reference: undefined }), /class="reference"/);
  });

  it('is deterministic: the same spec gives the same bytes', () => {
    assert.equal(renderChart(SPEC), renderChart(structuredClone(SPEC)));
  });

  it('clusters grouped bars under one header per group, a label keeping its colour', () => {
    const svg = renderChart({
      id: 'g',
      title: 'grouped',
      unit: 'ms',
      series: [
        { label: 'direct', value: 1, group: 'c=1' },
        { label: 'gateway', value: 2, group: 'c=1' },
        { label: 'direct', value: 3, group: 'c=8' },
        { label: 'gateway', value: 4, group: 'c=8' },
      ],
    });
    assertWellFormed(svg);
    assert.equal([...svg.matchAll(/font-weight="600" fill="[^"]+">c=1</g)].length, 1);
    assert.ok(svg.indexOf('>c=1<') < svg.indexOf('>c=8<'));
    const fills = [
      ...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="([^"]+)"/g),
    ].map((m) => m[1]);
    assert.equal(fills.length, 4);
    assert.equal(fills[0], fills[2]);
    assert.equal(fills[1], fills[3]);
    assert.notEqual(fills[0], fills[1]);
  });

  it('survives missing data: no bar for NaN, an empty series, labels that need escaping', () => {
    const svg = renderChart({
      id: 'x',
      title: 't',
      unit: 'u',
      series: [
        { label: 'a"<b>', value: Number.NaN },
        { label: 'ok', value: 5 },
      ],
    });
    assertWellFormed(svg);
    assert.equal(bars(svg).length, 1);
    assert.match(svg, />n\/a</);
    assert.match(svg, /a&quot;&lt;b&gt;/);
    assertWellFormed(renderChart({ id: 'e', title: 'empty', unit: 'u', series: [] }));
  });

  it('picks nice ticks and formats values', () => {
    assert.deepEqual(niceTicks(0, 700), [0, 200, 400, 600, 800]);
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.equal(formatValue(12345.6), '12,346');
    assert.equal(formatValue(0.913), '0.91');
    assert.equal(formatValue(Number.NaN), 'n/a');
  });
});

const MACHINE: MachineInfo = {
  cpuModel: 'Test CPU',
  cpuCount: 2,
  memoryBytes: 8 * 1024 ** 3,
  kernel: 'Linux 6.0 (x64)',
  loadStart: [0.5, 0.4, 0.3],
  loadEnd: [1, 0.9, 0.8],
  node: 'v24.0.0',
  packages: [
    { name: '@modelcontextprotocol/server', version: '2.4.0' },
    { name: 'supergateway', version: null },
  ],
};

const RESULT: BenchResult = {
  bench: 'audit-throughput',
  title: 'Audit throughput',
  command: 'node bench/audit-throughput.ts --json /tmp/x.json',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  tables: [
    {
      title: 'Sustained audit writes',
      columns: ['store', 'events/s'],
      rows: [
        ['sqlite', '25000 (24000–26000)'],
        ['a|b', '–'],
      ],
      caption: 'Median over rounds.',
    },
  ],
  charts: [{ id: 'events-per-second', title: 'Audit writes', unit: 'events/s', series: [] }],
  targets: [
    { name: 'SQLite events/s', target: '≥ 20,000', measured: '25000', pass: true },
    { name: 'nothing lost', target: 'written = acknowledged', measured: '1 lost', pass: false },
  ],
  notes: ['PostgreSQL skipped.'],
};

function runs(): BenchRun[] {
  return [
    {
      bench: 'audit-throughput',
      description: 'audit events/s',
      status: 'ok',
      command: 'node bench/audit-throughput.ts --json <file>',
      exitCode: 0,
      durationMs: 1234,
      loadBefore: 0.5,
      loadAfter: 0.75,
      result: RESULT,
    },
    {
      bench: 'isolation',
      description: 'failure isolation',
      status: 'failed',
      command: 'node bench/isolation.ts --json <file>',
      exitCode: 3,
      durationMs: 5000,
      outputTail: ['Error: the gateway did not start', '    at main (bench/isolation.ts:1:1)'],
    },
    {
      bench: 'sessions',
      description: 'memory per session',
      status: 'missing',
      command: 'node bench/sessions.ts',
    },
  ];
}

describe('bench report (report.ts)', () => {
  const input = {
    startedAt: '2026-01-01T10:00:00.000Z',
    durationMs: 61_000,
    smoke: false,
    runnerCommand: 'node bench/run-all.ts',
    machine: MACHINE,
    runs: runs(),
  };

  it('has the machine, the versions and the exact commands', () => {
    const md = renderReport(input);
    assert.match(md, /^# Gatehouse benchmark results\n/);
    assert.match(md, /Measured 2026-01-01 10:00 UTC by `node bench\/run-all\.ts` \(took 1 min 1 s\)/);
    assert.match(md, /\| CPU \| Test CPU × 2 \|/);
    assert.match(md, /\| Memory \| 8\.0 GiB \|/);
    assert.match(md, /0\.50 \/ 0\.40 \/ 0\.30 at the start, 1\.00 \/ 0\.90 \/ 0\.80 at the end/);
    assert.match(md, /\| `@modelcontextprotocol\/server` \| 2\.4\.0 \|/);
    assert.match(md, /\| `supergateway` \| not installed \|/);
    assert.match(
      md,
      /```sh\nnode bench\/run-all\.ts\nnode bench\/audit-throughput\.ts --json <file>\nnode bench\/isolation\.ts --json <file>\n```/,
    );
    assert.doesNotMatch(md, /Smoke run/);
  });

  it('summarizes every target with PASS/FAIL and names what was not measured', () => {
    const md = renderReport(input);
    const summary = md.slice(md.indexOf('## Summary of targets'), md.indexOf('## Audit throughput'));
    assert.match(summary, /1 of 2 targets met/);
    assert.match(summary, /\| audit-throughput \| SQLite events\/s \| ≥ 20,000 \| 25000 \| PASS \|/);
    assert.match(
      summary,
      /\| audit-throughput \| nothing lost \| written = acknowledged \| 1 lost \| \*\*FAIL\*\* \|/,
    );
    assert.match(summary, /isolation \(FAILED \(exit code 3\)\)/);
    assert.match(summary, /sessions \(not run: the script does not exist yet\)/);
  });

  it('gives each benchmark its tables, charts and notes', () => {
    const md = renderReport(input);
    assert.match(
      md,
      /## Audit throughput \(audit-throughput\)\n\n`node bench\/audit-throughput\.ts --json <file>` · took 1 s · load 0\.50 → 0\.75/,
    );
    assert.match(
      md,
      /### Sustained audit writes\n\nMedian over rounds\.\n\n\| store \| events\/s \|\n\| --- \| ---: \|\n\| sqlite \| 25000 \(24000–26000\) \|\n\| a\\\|b \| – \|/,
    );
    assert.match(md, /!\[Audit writes\]\(charts\/audit-throughput-events-per-second\.svg\)/);
    assert.match(md, /Notes:\n\n- PostgreSQL skipped\./);
    assert.match(md, /\[audit-throughput\]\(#audit-throughput-audit-throughput\)/);
  });

  it('says plainly when a benchmark failed, with its exit code and last output lines', () => {
    const md = renderReport(input);
    assert.match(md, /## failure isolation \(isolation\)/);
    assert.match(md, /\*\*This benchmark failed\.\*\* It exited with code 3\./);
    assert.match(md, /```text\nError: the gateway did not start\n {4}at main/);
    assert.doesNotMatch(md, /## memory per session/);
  });

  it('marks a smoke run and is deterministic', () => {
    const smoke = renderReport({ ...input, smoke: true });
    assert.match(smoke, /\*\*Smoke run:\*\*/);
    assert.equal(renderReport(input), renderReport(structuredClone(input)));
  });

  it('escapes table cells and aligns figure columns right', () => {
    assert.equal(markdownCell('a|b\nc'), 'a\\|b c');
    assert.match(
      markdownTable(['era', 'calls/s'], [['2025-11-25 (session)', '1,234 (1,000–1,500)']]),
      /\| --- \| ---: \|/,
    );
    assert.ok(isFigure('0.91× (0.88–0.93)'));
    assert.ok(!isFigure('2026-07-28'));
    assert.equal(chartPath('over head', 'c8/legacy'), 'charts/over-head-c8-legacy.svg');
  });
});

describe('bench result files (result-schema.ts)', () => {
  it('reads a valid result and rejects a malformed one with a clear error', () => {
    const dir = makeTempDir('bench-report-test-');
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify(RESULT));
      assert.equal(readResult(good).title, 'Audit throughput');
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"bench": ');
      assert.throws(() => readResult(broken), /not valid JSON/);
      const wrong = join(dir, 'wrong.json');
      writeFileSync(wrong, JSON.stringify({ ...RESULT, targets: [{ name: 'x' }] }));
      assert.throws(() => readResult(wrong), /not a BenchResult: .*targets/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench/run-all.ts smoke', () => {
  it('runs one benchmark and writes RESULTS.md and its chart where --out says', async () => {
    const dir = makeTempDir('bench-run-all-test-');
    try {
      const out = join(dir, 'RESULTS.md');
      const { code, out: log } = await runScript([
        'bench/run-all.ts',
        '--smoke',
        '--only',
        'audit-throughput',
        '--out',
        out,
      ]);
      assert.equal(code, 0, log);
      assert.match(log, /\[audit-throughput\] .*sqlite/);
      const md = readFileSync(out, 'utf8');
      assert.match(md, /\*\*Smoke run:\*\*/);
      assert.match(md, /## Summary of targets/);
      assert.match(md, /\| audit-throughput \| Audit events\/s sustained on SQLite, nothing lost \|/);
      assert.match(md, /node bench\/audit-throughput\.ts --smoke --json <file>/);
      assert.match(md, /\| isolation \| .* \| not run: not selected \(--only\) \|/);
      const chart = /!\[[^\]]*\]\((charts\/audit-throughput-[\w-]+\.svg)\)/.exec(md)?.[1];
      assert.ok(chart, md);
      assertWellFormed(readFileSync(join(dir, chart), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a smoke run to a temporary directory when no --out is given', async () => {
    const { code, out } = await runScript(['bench/run-all.ts', '--smoke', '--only', 'audit-throughput']);
    assert.equal(code, 0, out);
    const written = /\[run-all\] wrote (\S+RESULTS\.md)/.exec(out)?.[1];
    assert.ok(written, out);
    assert.ok(written.startsWith(tmpdir()), written);
    assert.ok(existsSync(written));
    rmSync(join(written, '..'), { recursive: true, force: true });
  });

  it('rejects an unknown benchmark name', async () => {
    const { code, out } = await runScript(['bench/run-all.ts', '--only', 'nonsense']);
    assert.notEqual(code, 0);
    assert.match(out, /--only: unknown benchmark nonsense; known: overhead, /);
  });
});
