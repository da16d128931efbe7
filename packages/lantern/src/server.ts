/**
 * Starts Lantern: the core, the public listener (REST API, later the web UI) on its address, and
 * the internal MCP server on a listener of its own (loopback by default; see internal/server.ts),
 * unless `internal: false`.
 */
import { publicApp } from './app.ts';
import { type AutomationConfig, HealthWatch } from './automation/health-watch.ts';
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
  /** The health watch (AgenticOps job: gateway health checks → incidents, approvals); off without. */
  automation?: AutomationConfig;
}

export interface RunningLantern {
  readonly core: LanternCore;
  /** The public base URL, e.g. `http://127.0.0.1:7400`. */
  readonly url: string;
  /** The internal MCP server, unless disabled. */
  readonly internal: RunningInternal | undefined;
  readonly chat: ChatService | undefined;
  /** The health watch, when configured (`runOnce()` runs it now). */
  readonly automation: HealthWatch | undefined;
  close(): Promise<void>;
}

export async function startLantern(options: LanternOptions): Promise<RunningLantern> {
  const core = await openCore(options);
  let internal: RunningInternal | undefined;
  try {
    if (options.internal !== false)
      internal = await startInternalServer(core, {
        ...options.internal,
        automation: options.automation !== undefined,
      });
    if (options.automation !== undefined && automationAccess(internal) === undefined)
      throw new Error(
        "the automation needs Lantern's internal MCP server with its incidents component (not --no-internal)",
      );
    const automation =
      options.automation === undefined
        ? undefined
        : new HealthWatch(options.automation, () => automationAccess(internal), core.logError);
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
    automation?.start();
    return {
      core,
      url: front.url,
      internal,
      chat,
      automation,
      close: async () => {
        await automation?.close();
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

/** Where the health watch reaches the internal server: the incidents and automation components. */
function automationAccess(internal: RunningInternal | undefined) {
  const incidentsUrl = internal?.urls.incidents;
  if (internal === undefined || incidentsUrl === undefined || internal.automationUrl === undefined)
    return undefined;
  return { incidentsUrl, automationUrl: internal.automationUrl, token: internal.token };
}
