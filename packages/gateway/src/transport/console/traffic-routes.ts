/**
 * /console/traffic: the gateway's request metrics over time, from the one metrics history;
 * /console/traffic/live is the refreshed part. `window` is one of 5m, 15m, 1h (default 15m).
 */
import type { Context, Hono } from 'hono';
import { metricsHistory } from '../../observability/metrics-history.ts';
import type { ConsoleDeps, ConsoleEnv } from './console-app.ts';
import { LIVE_SCRIPT, LIVE_SCRIPT_HEADERS } from './console-live.ts';
import {
  DEFAULT_WINDOW,
  type TrafficView,
  trafficLive,
  trafficPage,
  WINDOWS,
  type WindowName,
} from './traffic-page.ts';

type Checked = { ok: true; window: WindowName } | { ok: false; message: string };

function checkQuery(c: Context<ConsoleEnv>): Checked {
  const params = new URL(c.req.url).searchParams;
  const unknown = [...params.keys()].filter((k) => k !== 'window');
  if (unknown.length > 0)
    return {
      ok: false,
      message: `The traffic page takes only "window"; not ${unknown.map((k) => `"${k}"`).join(', ')}.`,
    };
  const given = params.getAll('window');
  if (given.length > 1)
    return { ok: false, message: `Give window once; it was given ${given.length} times.` };
  const window = given[0] ?? DEFAULT_WINDOW;
  if (!Object.hasOwn(WINDOWS, window))
    return {
      ok: false,
      message: `window must be one of ${Object.keys(WINDOWS).join(', ')}; "${window.slice(0, 40)}" is not.`,
    };
  return { ok: true, window: window as WindowName };
}

export function trafficRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const metrics = deps.gateway.metrics;
  const history = metrics === null ? null : metricsHistory(metrics);
  const viewOf = async (window: WindowName): Promise<TrafficView | null> =>
    history === null
      ? null
      : {
          window,
          samples: await history.upToNow(WINDOWS[window]),
          sampleEveryMs: history.intervalMs,
          keepMs: history.windowMs,
        };
  const answer = async (
    c: Context<ConsoleEnv>,
    render: (view: TrafficView) => ReturnType<typeof trafficLive>,
  ) => {
    const checked = checkQuery(c);
    if (!checked.ok) return c.text(checked.message, 400);
    const view = await viewOf(checked.window);
    if (view === null)
      return c.text(
        'Metrics are off in this configuration (observability.metrics.enabled), so there is no traffic to show.',
        404,
      );
    return c.html(render(view));
  };
  app.get('/assets/traffic.js', (c) => c.body(LIVE_SCRIPT, 200, LIVE_SCRIPT_HEADERS));
  app.get('/traffic', (c) => answer(c, (view) => trafficPage({ session: c.get('session'), view })));
  app.get('/traffic/live', (c) => answer(c, trafficLive));
}
