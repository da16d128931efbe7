/**
 * `lantern serve`'s chat flags → the chat's configuration. No `--chat-provider`, no chat (the
 * page says how to turn it on). Gateway keys come from the environment, one per role that may
 * reach the gateway's domain servers: `LANTERN_GATEWAY_KEY_RESPONDER`, `…_ADMIN`, `…_VIEWER`,
 * `…_OPERATOR` (a role without one does not reach the gateway).
 */
import { ROLES, type Role } from '../domain/permissions.ts';
import type { ChatConfig } from './chat-service.ts';

export const CHAT_FLAGS = {
  'chat-provider': { type: 'string' },
  'chat-base-url': { type: 'string' },
  'chat-model': { type: 'string' },
  'chat-gateway': { type: 'string' },
} as const;

export interface ChatFlagValues {
  'chat-provider'?: string;
  'chat-base-url'?: string;
  'chat-model'?: string;
  'chat-gateway'?: string;
}

export function gatewayKeyVariable(role: Role): string {
  return `LANTERN_GATEWAY_KEY_${role.toUpperCase()}`;
}

export function chatConfigFromFlags(values: ChatFlagValues, env: NodeJS.ProcessEnv): ChatConfig | undefined {
  const provider = values['chat-provider'];
  if (provider === undefined) {
    for (const flag of ['chat-base-url', 'chat-model', 'chat-gateway'] as const) {
      if (values[flag] !== undefined) throw new Error(`--${flag} needs --chat-provider openai|anthropic`);
    }
    return undefined;
  }
  let gateway: ChatConfig['gateway'];
  if (values['chat-gateway'] !== undefined) {
    const keys: Partial<Record<Role, string>> = {};
    for (const role of ROLES) {
      const key = env[gatewayKeyVariable(role)];
      if (key !== undefined && key !== '') keys[role] = key;
    }
    if (Object.keys(keys).length === 0) {
      throw new Error(
        `--chat-gateway needs a gateway key for at least one role: set ${ROLES.map(gatewayKeyVariable).join(', ')}`,
      );
    }
    gateway = { url: values['chat-gateway'], keys };
  }
  return {
    provider,
    ...(values['chat-base-url'] === undefined ? {} : { baseUrl: values['chat-base-url'] }),
    ...(values['chat-model'] === undefined ? {} : { model: values['chat-model'] }),
    env,
    ...(gateway === undefined ? {} : { gateway }),
  };
}

/** What `lantern serve` prints about the chat. */
export function describeChat(config: ChatConfig | undefined, model: string | undefined): string {
  if (config === undefined || model === undefined)
    return 'lantern: built-in chat: off (start with --chat-provider to turn it on)';
  const roles = Object.keys(config.gateway?.keys ?? {});
  return `lantern: built-in chat: ${model}${roles.length > 0 ? `; reaches the gateway for ${roles.join(', ')}` : ''}`;
}
