/**
 * The web UI's one stylesheet, served from `/assets/lantern.css` (the Content-Security-Policy
 * allows styles from the product's own origin only). System fonts, no framework; contrast meets
 * WCAG AA; focus is always visible.
 */
export const STYLESHEET = `
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --accent:#0a5bd3; --danger:#b42318;
  --ok:#1a7f37; --warn:#9a6700; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); line-height: 1.45; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #ffb000; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 9; }
header.top { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #0d1b2a; color: #fff; }
header.top a { color: #fff; text-decoration: none; } header.top nav { display: flex; gap: 14px; flex: 1; }
header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
header.top .who { font-size: .9rem; opacity: .9; }
header.top form { margin: 0; }
.brand { font-weight: 700; letter-spacing: .02em; }
main { max-width: 1040px; margin: 0 auto; padding: 20px; }
h1 { font-size: 1.5rem; margin: 0 0 12px; } h2 { font-size: 1.15rem; margin: 20px 0 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td:first-child, td time { white-space: nowrap; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .8rem; font-weight: 600; border: 1px solid; }
.sev1 { color: var(--danger); } .sev2 { color: #b54708; } .sev3 { color: var(--warn); } .sev4 { color: var(--muted); }
.open { color: var(--danger); } .acknowledged { color: var(--warn); } .resolved { color: var(--ok); }
label { display: block; font-weight: 600; margin: 10px 0 4px; }
input, select, textarea { font: inherit; padding: 7px 9px; border: 1px solid #8c959f; border-radius: 6px; width: 100%; background: #fff; }
textarea { min-height: 80px; }
button { font: inherit; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
.row { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; } .row > * { flex: 1; min-width: 160px; }
.row > button, .row > .shrink { flex: 0 0 auto; min-width: 0; }
.alert { border-left: 4px solid var(--danger); background: #fff1f0; padding: 10px 12px; margin-bottom: 14px; }
.notice { border-left: 4px solid var(--ok); background: #effaf2; padding: 10px 12px; margin-bottom: 14px; }
.muted { color: var(--muted); font-size: .9rem; }
.notes { list-style: none; padding: 0; margin: 0; } .notes li { border-top: 1px solid var(--line); padding: 8px 0; }
code.secret { display: block; word-break: break-all; background: #fff8c5; padding: 8px; border-radius: 6px; }
.login { max-width: 380px; margin: 60px auto; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;

/** The chat page's additions. */
export const CHAT_STYLES = `
#log { display: flex; flex-direction: column; gap: 12px; margin-bottom: 16px; }
.msg { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.msg.you { border-left: 4px solid var(--accent); } .msg.bot { border-left: 4px solid #6e7781; }
.msg p { margin: 6px 0; white-space: pre-wrap; }
.tools { list-style: none; padding: 0; margin: 6px 0; font-size: .9rem; }
.tools li { margin: 2px 0; } .tools pre { background: var(--bg); padding: 6px; overflow-x: auto; margin: 4px 0; }
.tool.done .state { color: var(--ok); } .tool.failed .state { color: var(--danger); } .tool.running .state { color: var(--warn); }
.question { border: 2px solid var(--danger); border-radius: 8px; padding: 10px; margin: 8px 0; background: #fff8f7; }
.question.closed { border: 1px solid var(--line); background: var(--bg); }
`;
