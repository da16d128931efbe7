/** The console's stylesheet (served from /console/assets/console.css: the CSP allows nothing inline). */
export const CONSOLE_STYLES = `
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --accent:#0a5bd3; --danger:#b42318; --ok:#1a7f37; --warn:#9a6700;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); line-height: 1.45; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #ffb000; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 9; }
header.top { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #14213d; color: #fff; flex-wrap: wrap; }
header.top a { color: #fff; text-decoration: none; } header.top nav { display: flex; gap: 14px; flex: 1; flex-wrap: wrap; }
header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
header.top form { margin: 0; } .who { font-size: .9rem; opacity: .9; }
.brand { font-weight: 700; }
main { max-width: 1180px; margin: 0 auto; padding: 20px; }
h1 { font-size: 1.5rem; margin: 0 0 12px; } h2 { font-size: 1.15rem; margin: 18px 0 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: #fff; font-size: .92rem; }
th, td { text-align: left; padding: 7px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .82rem; color: var(--muted); font-weight: 600; }
td.nowrap, td code { white-space: nowrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { background: var(--bg); padding: 8px; border-radius: 6px; overflow-x: auto; max-width: 520px; margin: 0; white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .8rem; font-weight: 600; border: 1px solid; }
.ok, .approved, .allow { color: var(--ok); } .error, .denied, .deny, .refused { color: var(--danger); } .pending, .awaiting_approval { color: var(--warn); }
label { display: block; font-weight: 600; margin: 8px 0 4px; }
input, select, textarea { font: inherit; padding: 6px 8px; border: 1px solid #8c959f; border-radius: 6px; width: 100%; background: #fff; }
button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); } button.danger { background: var(--danger); border-color: var(--danger); }
.row { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; } .row > * { flex: 1; min-width: 140px; } .row > .shrink { flex: 0 0 auto; min-width: 0; }
.decide { display: flex; gap: 6px; align-items: center; } .decide input { min-width: 140px; }
.alert { border-left: 4px solid var(--danger); background: #fff1f0; padding: 10px 12px; margin-bottom: 14px; }
.notice { border-left: 4px solid var(--ok); background: #effaf2; padding: 10px 12px; margin-bottom: 14px; }
.muted { color: var(--muted); font-size: .9rem; }
code.secret { display: block; word-break: break-all; background: #fff8c5; padding: 8px; border-radius: 6px; white-space: normal; }
.badge.ready, .badge.closed { color: var(--ok); } .badge.open, .badge.failed, .badge.evicted, .badge.not-ready { color: var(--danger); }
.badge.backoff, .badge.connecting, .badge.half-open, .badge.idle { color: var(--warn); }
td.wrap { word-break: break-word; max-width: 360px; } caption { text-align: left; padding: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; word-break: break-word; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
figure.chart { margin: 0; } figure.chart figcaption { font-weight: 600; margin-bottom: 4px; } .chart-svg { width: 100%; height: auto; display: block; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .85rem; }
details summary { cursor: pointer; color: var(--accent); font-size: .88rem; margin: 4px 0; }
.login { max-width: 420px; margin: 60px auto; }
pre.diff { max-width: none; } pre.diff span, pre.diff ins, pre.diff del { display: block; text-decoration: none; } pre.diff ins { color: var(--ok); background: #effaf2; } pre.diff del { color: var(--danger); background: #fff1f0; }
details summary { cursor: pointer; color: var(--accent); } h3 { font-size: 1rem; margin: 0 0 8px; } h4 { font-size: .9rem; margin: 10px 0 4px; }
a.button { display: block; text-align: center; padding: 8px 12px; border-radius: 6px; background: var(--accent); color: #fff; text-decoration: none; font-weight: 600; }
.or { text-align: center; margin: 14px 0 4px; }
`;
