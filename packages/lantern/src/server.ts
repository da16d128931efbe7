/**
 * Starts Lantern: the core, the public listener (REST API, later the web UI) on its address, and
 * the internal MCP server on a listener of its own (loopback by default; see internal/server.ts),
 * unless `internal: false`.
 */
import { publicApp } from './app.ts';
import { type CoreOptions, type LanternCore, openCore } from './core.ts';
import { type InternalOptions, type RunningInternal, startInternalServer } from './internal/server.ts';
import { listen } from './listen.ts';

export { listen } from './listen.ts';

export interface LanternOptions extends CoreOptions {
  port?: number;
  host?: string;
  /** The internal MCP server's listener and components; `false` starts none. Default: on, port 0. */
  internal?: InternalOptions | false;
}

export interface RunningLantern {
  readonly core: LanternCore;
  /** The public base URL, e.g. `http://127.0.0.1:7400`. */
  readonly url: string;
  /** The internal MCP server, unless disabled. */
  readonly internal: RunningInternal | undefined;
  close(): Promise<void>;
}

export async function startLantern(options: LanternOptions): Promise<RunningLantern> {
  const core = await openCore(options);
  let internal: RunningInternal | undefined;
  try {
    if (options.internal !== false) internal = await startInternalServer(core, options.internal ?? {});
    const front = await listen(publicApp(core).fetch, options.host ?? '127.0.0.1', options.port ?? 0);
    return {
      core,
      url: front.url,
      internal,
      close: async () => {
        await front.close();
        await internal?.close();
        await core.close();
      },
    };
  } catch (error) {
    await internal?.close();
    await core.close();
    throw error;
  }
}
