/**
 * The built-in chat's sessions: one per signed-in browser session, made on first use and closed
 * at sign-out or after an idle hour. Each reaches
 *
 * - Lantern's internal MCP server (the enabled components the user's role can use at all), with the
 *   service credential on the connection and the signed-in user in the `_meta` of every call — the internal server resolves
 *   that user's role itself;
 * - and, when the user's role is given a gateway key, the gateway's domain servers through
 *   Gatehouse, whose policy, approvals and audit apply as to any other caller.
 */
import { type ChosenModel, chooseModel, connectToolSource, type HttpServerConfig } from '@gatehouse/host';
import { PRINCIPAL_META_KEY } from '@gatehouse/kit';
import { can, type Permission, type Role, type UserIdentity } from '../domain/permissions.ts';
import { ChatSession } from './chat-session.ts';

export interface ChatConfig {
  /** `openai` (any OpenAI-compatible endpoint) or `anthropic`. */
  provider: string;
  baseUrl?: string;
  model?: string;
  /** Where the provider's key is read (OPENAI_API_KEY, ANTHROPIC_API_KEY); default process.env. */
  env?: NodeJS.ProcessEnv;
  maxSteps?: number;
  /** Gatehouse, for the roles given a key there. */
  gateway?: { url: string; keys: Partial<Record<Role, string>> };
}

/** One internal component server the chat may use: its name, URL and the service credential. */
export interface InternalEndpoint {
  name: string;
  url: string;
  token: string;
  /** What a user's role must allow for the chat to connect to it at all. */
  needs: Permission;
}

const IDLE_MS = 60 * 60_000;

function instructions(user: UserIdentity, gateway: boolean): string {
  return [
    `You are Lantern's built-in assistant, helping ${user.name} (${user.role} at ${user.orgId}).`,
    "Lantern is an incident desk. Answer from the tools' results, not from memory; name incidents by their ref (INC-12).",
    gateway
      ? 'Tools named gateway__… reach the company systems through Gatehouse (service health, runbooks, customers); use them for questions beyond Lantern.'
      : '',
    'Keep answers short. A destructive action is confirmed by the user in the page before it runs.',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export class ChatService {
  readonly #config: ChatConfig;
  readonly #internal: () => readonly InternalEndpoint[];
  readonly #model: ChosenModel;
  readonly #sessions = new Map<string, Promise<ChatSession>>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(config: ChatConfig, internal: () => readonly InternalEndpoint[]) {
    this.#config = config;
    this.#internal = internal;
    this.#model = chooseModel({
      provider: config.provider,
      ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
      ...(config.model === undefined ? {} : { model: config.model }),
      ...(config.env === undefined ? {} : { env: config.env }),
    });
    this.#sweeper = setInterval(() => void this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  /** The model the chat talks to, as it may be shown. */
  get modelLabel(): string {
    return `${this.#model.modelId} at ${this.#model.baseUrl}`;
  }

  /** The chat of browser session `key` (made for `user` on first use). */
  session(key: string, user: UserIdentity): Promise<ChatSession> {
    let session = this.#sessions.get(key);
    if (session === undefined) {
      session = this.#open(user);
      this.#sessions.set(key, session);
      session.catch(() => this.#sessions.delete(key));
    }
    return session;
  }

  async end(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    this.#sessions.delete(key);
    await (await session?.catch(() => undefined))?.close();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#sessions.keys()].map((key) => this.end(key)));
  }

  /** The servers a user's chat reaches: every enabled internal component, and the gateway if their role has a key. */
  serversFor(user: UserIdentity): HttpServerConfig[] {
    const principal = {
      [PRINCIPAL_META_KEY]: { id: user.id, user: user.email, org: user.orgId, roles: [user.role] },
    };
    const actor = { kind: 'user', user, via: 'internal-mcp' } as const;
    const allowed = this.#internal().filter((endpoint) => can(actor, endpoint.needs));
    const servers: HttpServerConfig[] = allowed.map((endpoint) => ({
      name: endpoint.name,
      type: 'http',
      url: endpoint.url,
      headers: { authorization: `Bearer ${endpoint.token}` },
      callMeta: principal,
    }));
    const key = this.#config.gateway?.keys[user.role];
    if (this.#config.gateway !== undefined && key !== undefined) {
      servers.push({
        name: 'gateway',
        type: 'http',
        url: this.#config.gateway.url,
        headers: { authorization: `Bearer ${key}` },
      });
    }
    return servers;
  }

  async #open(user: UserIdentity): Promise<ChatSession> {
    const servers = this.serversFor(user);
    const source = await connectToolSource({ kind: 'servers', servers });
    return new ChatSession({
      source,
      model: this.#model.model,
      endpoint: this.#model.baseUrl,
      instructions: instructions(
        user,
        servers.some((s) => s.name === 'gateway'),
      ),
      ...(this.#config.maxSteps === undefined ? {} : { maxSteps: this.#config.maxSteps }),
    });
  }

  async #sweep(): Promise<void> {
    for (const [key, pending] of this.#sessions) {
      const session = await pending.catch(() => undefined);
      if (session !== undefined && !session.running && Date.now() - session.lastUsed > IDLE_MS)
        await this.end(key);
    }
  }
}
