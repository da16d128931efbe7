/**
 * The live refresh of the metrics pages (served as /console/assets/<page>.js; no inline script):
 * every element with data-live-src is re-fetched every data-live-every milliseconds and replaced,
 * except while focus is inside it (so a keyboard user is not thrown out of what they read).
 */
export const LIVE_SCRIPT = `
for (const element of document.querySelectorAll('[data-live-src]')) {
  const every = Number(element.dataset.liveEvery) || 5000;
  async function refresh() {
    if (document.activeElement && element.contains(document.activeElement)) return;
    const response = await fetch(element.dataset.liveSrc, { headers: { accept: 'text/html' } });
    if (response.ok) {
      element.innerHTML = await response.text();
      element.dataset.refreshed = String(Date.now());
    }
  }
  setInterval(() => { refresh().catch(() => {}); }, every);
}
`;

export const LIVE_SCRIPT_HEADERS = { 'content-type': 'text/javascript; charset=utf-8' };
