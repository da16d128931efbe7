/**
 * Starts Lantern: the core, the public listener (REST API, later the web UI) on its address, and
 * the internal MCP server on a listener of its own (loopback by default; see internal/server.ts),
 * unless `internal: false`.
 */
import { publicApp } from './app.ts';
import { type ChatConfig, ChatService, type InternalEndpoint } from './chat/chat-service.ts';
import { type CoreOptions, type LanternCore, openCore } from './core.ts';
import type { Permission } from './domain/permissions.ts';
import {
  type InternalComponent,
  type InternalOptions,
  type RunningInternal,
  startInternalServer,
} from './internal/server.ts';
import { listen } from './listen.ts';

export { listen } from './listen.ts';

export interface LanternOptions extends CoreOptions {
  port?: number;
  host?: string;
  /** The internal MCP server's listener and components; `false` starts none. Default: on, port 0. */
  internal?: InternalOptions | false;
  /** The built-in chat's model (and the gateway, for the roles given a key); none without. */
  chat?: ChatConfig;
}

export interface RunningLantern {
  readonly core: LanternCore;
  /** The public base URL, e.g. `http://127.0.0.1:7400`. */
  readonly url: string;
  /** The internal MCP server, unless disabled. */
  readonly internal: RunningInternal | undefined;
  readonly chat: ChatService | undefined;
  close(): Promise<void>;
}

export async function startLantern(options: LanternOptions): Promise<RunningLantern> {
  const core = await openCore(options);
  let internal: RunningInternal | undefined;
  try {
    if (options.internal !== false) internal = await startInternalServer(core, options.internal ?? {});
    const chat =
      options.chat === undefined || internal === undefined
        ? undefined
        : new ChatService(options.chat, () => internalEndpoints(internal));
    const front = await listen(
      publicApp(core, {
        ...(chat === undefined ? {} : { chat }),
        ...(internal === undefined
          ? { chatUnavailable: 'The chat needs the internal MCP server, which is off.' }
          : {}),
      }).fetch,
      options.host ?? '127.0.0.1',
      options.port ?? 0,
    );
    return {
      core,
      url: front.url,
      internal,
      chat,
      close: async () => {
        await front.close();
        await chat?.close();
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

/** What a role must allow for its chat to use a component (the component checks each call anyway). */
const NEEDS: Record<InternalComponent, Permission> = {
  incidents: 'incidents:read',
  analytics: 'analytics:read',
  operations: 'orgs:all',
};

/** The internal components the chat talks to, each as a server named `lantern-<component>`. */
function internalEndpoints(internal: RunningInternal | undefined): InternalEndpoint[] {
  if (internal === undefined) return [];
  return internal.components.flatMap((component) => {
    const url = internal.urls[component];
    return url === undefined
      ? []
      : [{ name: `lantern-${component}`, url, token: internal.token, needs: NEEDS[component] }];
  });
}
