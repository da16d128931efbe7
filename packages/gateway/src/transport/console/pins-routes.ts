/**
 * /console/pins: pending tool-definition changes and the pins, from the running gateway's
 * ToolPinning (the store `gatehouse pins` reads); POST /console/pins/approve approves one change
 * as the signed-in approver through ToolPinning.approve — pinned and served at once, clients
 * told, and the approval audited from the store's outbox as a CLI approval is. A pin store that
 * cannot be reached (the shared PostgreSQL down) is said plainly, with a 503, and approves nothing.
 */
import type { Context, Hono } from 'hono';
import type { ToolPinning } from '../../pins/pinning.ts';
import type { ConsoleDeps, ConsoleEnv } from './console-app.ts';
import { pinsPage } from './pins-page.ts';

function unreachable(pinning: ToolPinning): string {
  return `Tool pins cannot be reached in ${pinning.store.where} right now; the gateway keeps enforcing the last known pins.`;
}

async function show(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  extra: { error?: string; done?: string } = {},
  status = 200,
): Promise<Response> {
  const pinning = deps.gateway.pins;
  const unpinned = new Set(deps.gateway.model.upstreams.filter((u) => !u.pinning.enabled).map((u) => u.name));
  const session = c.get('session');
  if (pinning === null) return c.html(pinsPage({ session, pins: null, unpinned, ...extra }), status as 200);
  try {
    const pins = await pinning.list();
    return c.html(pinsPage({ session, pins, unpinned, ...extra }), status as 200);
  } catch {
    const said = extra.error?.startsWith(unreachable(pinning)) === true;
    const error = said ? extra.error : `${unreachable(pinning)} ${extra.error ?? 'Try again shortly.'}`;
    return c.html(pinsPage({ session, pins: { pins: [], pending: [] }, unpinned, error }), 503);
  }
}

export function pinsRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/pins', (c) => show(c, deps));
  app.post('/pins/approve', async (c) => {
    const form = c.get('form');
    const pinning = deps.gateway.pins;
    if (pinning === null)
      return show(c, deps, { error: 'Tool pinning is off; there is nothing to approve.' }, 404);
    const upstream = (form.upstream ?? '').trim();
    const tool = (form.tool ?? '').trim();
    const hash = (form.hash ?? '').trim();
    if (upstream === '' || tool === '' || !/^[0-9a-f]{8,64}$/.test(hash))
      return show(
        c,
        deps,
        { error: 'An approval names the upstream, the tool and the pending hash; nothing was approved.' },
        422,
      );
    const by = c.get('session').principal.user;
    let pin: Awaited<ReturnType<ToolPinning['approve']>>;
    try {
      pin = await pinning.approve(upstream, tool, by, { via: 'console', hash });
    } catch {
      return show(c, deps, { error: `${unreachable(pinning)} Nothing was approved.` }, 503);
    }
    if (pin === undefined)
      return show(
        c,
        deps,
        {
          error: `No pending change ${hash.slice(0, 12)} for ${upstream}/${tool} (approved already, or changed again since the page was shown); nothing was approved.`,
        },
        404,
      );
    return show(c, deps, {
      done: `Approved ${upstream}/${tool} (pinned ${pin.hash.slice(0, 12)}) by ${by}: served now, and clients are told.`,
    });
  });
}
