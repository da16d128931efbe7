/**
 * The sandbox as one Hono app on one loopback port: each service is mounted under its name
 * (`/hubspot`, `/intercom`, `/chargeover`, `/open-meteo`, `/platform`), behind a bearer-token
 * check like the real services and its fault knobs. `/_sandbox` describes what runs and takes
 * fault changes at run time.
 */
import { Hono } from 'hono';
import { type FaultKnobs, Faults } from './faults.ts';
import type { SandboxOptions, SandboxService, ServiceFactory } from './service.ts';
import { SERVICE_FACTORIES } from './services/index.ts';

export interface SandboxApp {
  readonly app: Hono;
  readonly services: SandboxService[];
  readonly faults: Faults;
}

export interface SandboxAppOptions extends Partial<SandboxOptions> {
  /** Accepted bearer tokens (or Basic passwords); default `sandbox-token`. */
  tokens?: string[];
  /** Which services to run; default all. */
  only?: string[];
  factories?: ServiceFactory[];
}

function credentialOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    // ChargeOver-style `Basic base64(public:private)`: the private key is the credential.
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

export function createSandboxApp(options: SandboxAppOptions = {}): SandboxApp {
  const resolved: SandboxOptions = { seed: options.seed ?? 20261121, now: options.now ?? new Date() };
  const tokens = new Set(options.tokens ?? ['sandbox-token']);
  const faults = new Faults();
  const services = (options.factories ?? SERVICE_FACTORIES)
    .map((factory) => factory(resolved))
    .filter((service) => options.only === undefined || options.only.includes(service.name));
  const app = new Hono();

  const listing = () => ({
    seed: resolved.seed,
    now: resolved.now.toISOString(),
    services: services.map((s) => ({
      name: s.name,
      title: s.title,
      path: `/${s.name}`,
      realBaseUrl: s.realBaseUrl,
      auth: s.auth,
      faults: faults.get(s.name),
    })),
  });
  app.get('/_sandbox', (c) => c.json(listing()));
  // The base URL the CLI and the demo print: what someone opening it wants to see.
  app.get('/', (c) => c.json(listing()));
  app.put('/_sandbox/faults/:service', async (c) => {
    const name = c.req.param('service');
    if (!services.some((s) => s.name === name)) return c.json({ error: `no sandbox service ${name}` }, 404);
    const body = (await c.req.json().catch(() => null)) as Partial<FaultKnobs> | null;
    if (body === null || typeof body !== 'object')
      return c.json({ error: 'body must be a JSON object' }, 400);
    try {
      return c.json(faults.set(name, body));
    } catch (error) {
      return c.json({ error: (error as Error).message }, 400);
    }
  });
  app.delete('/_sandbox/faults', (c) => {
    faults.reset();
    return c.body(null, 204);
  });

  for (const service of services) {
    const mount = new Hono();
    mount.use('*', async (c, next) => {
      if (!service.requiresAuth) return next();
      const credential = credentialOf(c.req.header('authorization'));
      if (credential === undefined || !tokens.has(credential)) {
        return c.json(
          { status: 'error', message: 'Authentication credentials are missing or invalid.' },
          401,
        );
      }
      await next();
    });
    mount.use('*', faults.middleware(service.name));
    mount.route('/', service.app);
    app.route(`/${service.name}`, mount);
  }
  app.notFound((c) => c.json({ status: 'error', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => c.json({ status: 'error', message: `sandbox error: ${error.message}` }, 500));
  return { app, services, faults };
}
