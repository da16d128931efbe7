/**
 * The long-running commands, `serve` (HTTP) and `stdio`, and their lifecycle: SIGTERM/SIGINT
 * drain (stop accepting, let calls finish up to server.drainTimeoutMs, cancel the rest, flush the
 * audit, reap child processes), and configuration reload on SIGHUP or when the file changes,
 * also behind a symlink (config-watch.ts): a valid file swaps in; an invalid one is refused with
 * its errors and the running one keeps serving.
 */
import { isDeepStrictEqual } from 'node:util';
import { openAccess } from '../access.ts';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import { GatehouseError } from '../errors/registry.ts';
import { Gateway } from '../gateway.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { listenHttp } from '../transport/http-server.ts';
import { serveGatewayStdio } from '../transport/stdio.ts';
import { watchConfigFile } from './config-watch.ts';

export interface ServeOptions {
  /** The configuration file, re-read on reload. */
  configFile: string;
  /** Command-line overrides (e.g. --port), applied to every model loaded, first and reloaded. */
  overrides: (model: GatewayModel) => void;
  /** The logger to use (default: JSON on stderr at the model's level). */
  log?: Logger;
  /** Print `Gatehouse MCP endpoint: URL` on stdout once listening (default true). */
  announce?: boolean;
  /** Reload when the file (or the file behind a symlink) changes; false: on SIGHUP only. */
  watch?: boolean;
  /** Runs on SIGINT/SIGTERM once the gateway has stopped, before the process exits (the demo's Lantern and sandbox). */
  afterStop?: () => Promise<void>;
}

/**
 * Why `gatehouse stdio` cannot serve this configuration (no principal to act as), or null. Asked
 * before anything starts, so a refusal leaves no upstream process behind.
 */
export function stdioRefusal(model: GatewayModel): string | null {
  if (model.auth.stdio !== null || model.auth.anonymous !== null) return null;
  return 'auth.stdio is not set, and stdio needs a principal to act as: set auth.stdio: { user, org, roles } (or auth.anonymous)';
}

function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'draining');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Re-reads the file and swaps it in; one reload at a time, unchanged files ignored. */
function reloader(gateway: Gateway, options: ServeOptions, log: Logger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    const loaded = loadConfigFile(options.configFile);
    if (!loaded.ok) {
      gateway.metrics?.reloads.inc({ result: 'invalid' });
      log.error(
        { file: options.configFile, issues: loaded.issues.map(formatIssue) },
        'config reload refused: the file is not valid; the running config keeps serving',
      );
      return;
    }
    options.overrides(loaded.model);
    if (isDeepStrictEqual(loaded.model, gateway.model)) return;
    const result = await gateway.reload(loaded.model);
    gateway.metrics?.reloads.inc({ result: result.ok ? 'applied' : 'refused' });
    if (result.ok) log.info({ file: options.configFile, summary: result.summary }, 'config reload applied');
    else
      log.error(
        { file: options.configFile, err: result.error },
        'config reload refused; the running config keeps serving',
      );
  };
  return () => {
    running = running.then(once, once);
    return running;
  };
}

function enableReload(gateway: Gateway, options: ServeOptions, log: Logger): () => void {
  const reload = reloader(gateway, options, log);
  const onHup = () => void reload();
  process.on('SIGHUP', onHup);
  const watcher =
    options.watch === false ? null : watchConfigFile(options.configFile, () => void reload(), log);
  return () => {
    process.off('SIGHUP', onHup);
    watcher?.close();
  };
}

export interface ServingGateway {
  gateway: Gateway;
  url: string;
}

export async function serve(model: GatewayModel, options: ServeOptions): Promise<ServingGateway> {
  const log = options.log ?? createLogger(model.logging.level);
  const gateway = new Gateway(model, log, await openAccess(model, log));
  await gateway.pins?.load();
  gateway.start();
  const http = await listenHttp(gateway, model.server, log);
  const stopReload = enableReload(gateway, options, log);
  onShutdown(log, async () => {
    stopReload();
    http.front.stopAccepting();
    const report = await gateway.drain();
    log.info(report, 'in-flight requests drained');
    await http.close();
    await gateway.stop();
    await options.afterStop?.();
  });
  log.info({ url: http.url }, 'gatehouse listening');
  if (options.announce !== false) process.stdout.write(`Gatehouse MCP endpoint: ${http.url}\n`);
  return { gateway, url: http.url };
}

export async function stdio(model: GatewayModel, options: ServeOptions): Promise<void> {
  const refusal = stdioRefusal(model);
  if (refusal !== null) throw new GatehouseError('CONFIG_INVALID', refusal);
  const log = createLogger(model.logging.level);
  const gateway = new Gateway(model, log, await openAccess(model, log));
  await gateway.pins?.load();
  gateway.start();
  await gateway.settled();
  const handle = serveGatewayStdio(gateway, log);
  const stopReload = enableReload(gateway, options, log);
  const stop = async () => {
    stopReload();
    const report = await gateway.drain();
    log.info(report, 'in-flight requests drained');
    await handle.close();
    await gateway.stop();
  };
  onShutdown(log, stop);
  process.stdin.once('end', () => void stop().then(() => process.exit(0)));
}
