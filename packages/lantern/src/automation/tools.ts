/**
 * The health watch's two MCP sides, both through the host library (`connectToolSource`):
 *
 * - the gateway, with the automation's own API key: Gatehouse's policy, approvals and audit apply
 *   to it as to any caller. It is asked not to wait for approvers (`approvalWaitMs: 0`): a call
 *   that needs one comes back at once as `pending`, and a later run makes the same call again.
 *   Nobody is there to answer an in-band question, so any is declined.
 * - Lantern's internal MCP server (incidents, and the automation component for its own records),
 *   with the service token on the connection and `automation:<name>` in its org in every call's
 *   `_meta` — held there to what an automation may do.
 *
 * Each call ends in one `Outcome`; nothing here throws for a call that failed.
 */
import { connectToolSource, type HostToolResult, isHostError, type McpToolSource } from '@gatehouse/host';
import { PRINCIPAL_META_KEY, TOOL_ERROR_META_KEY } from '@gatehouse/kit';

export type Outcome =
  | { kind: 'ok'; data: Record<string, unknown>; text: string }
  | { kind: 'pending'; approvalId: string; expiresAt: string | undefined; text: string }
  | { kind: 'denied'; approvalId: string | undefined; text: string }
  | { kind: 'error'; text: string; code: string | undefined; transient: boolean };

const APPROVAL_META_KEY = 'dev.gatehouse/approval';
/** The gateway's JSON-RPC code for a call whose approval was denied. */
const APPROVAL_DENIED = -32058;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** One MCP answer as an outcome: data, an approval still pending, a denial, or an error. */
export function outcomeOf(result: HostToolResult): Outcome {
  const raw = result.raw;
  const approval = isRecord(raw._meta) ? raw._meta[APPROVAL_META_KEY] : undefined;
  if (isRecord(approval) && approval.status === 'pending' && typeof approval.approvalId === 'string') {
    return {
      kind: 'pending',
      approvalId: approval.approvalId,
      expiresAt: typeof approval.expiresAt === 'string' ? approval.expiresAt : undefined,
      text: result.text,
    };
  }
  const error = isRecord(raw.error) ? raw.error : undefined;
  if (error?.code === APPROVAL_DENIED) {
    const data = isRecord(error.data) ? error.data : {};
    return {
      kind: 'denied',
      approvalId: typeof data.approvalId === 'string' ? data.approvalId : undefined,
      text: result.text,
    };
  }
  if (result.isError) {
    const toolError = isRecord(raw._meta) ? raw._meta[TOOL_ERROR_META_KEY] : undefined;
    const code = isRecord(toolError) && typeof toolError.code === 'string' ? toolError.code : undefined;
    return { kind: 'error', text: result.text || 'the tool answered with an error', code, transient: false };
  }
  const data = isRecord(raw.structuredContent) ? raw.structuredContent : {};
  return { kind: 'ok', data, text: result.text };
}

/** Calls tools of one connected source by name; never throws for a failed call. */
export class ToolClient {
  readonly #source: McpToolSource;
  readonly #signal: AbortSignal;
  readonly #prefix: string;

  constructor(source: McpToolSource, signal: AbortSignal, prefix = '') {
    this.#source = source;
    this.#signal = signal;
    this.#prefix = prefix;
  }

  /** Whether the source offers the tool (the gateway lists only what the key's role may use). */
  has(name: string): boolean {
    return this.#source.tools().some((t) => t.name === `${this.#prefix}${name}`);
  }

  async call(name: string, args: Record<string, unknown>): Promise<Outcome> {
    try {
      const result = await this.#source.callTool(`${this.#prefix}${name}`, args, {
        signal: this.#signal,
        ask: async () => ({ action: 'decline' }),
      });
      return outcomeOf(result);
    } catch (error) {
      const kind = isHostError(error) ? error.kind : undefined;
      return { kind: 'error', text: oneLine(error), code: kind, transient: true };
    }
  }

  /** A prefixed view (`incidents__…`) of the same source. */
  scoped(prefix: string): ToolClient {
    return new ToolClient(this.#source, this.#signal, prefix);
  }
}

export interface GatewayAccess {
  url: string;
  key: string;
}

export interface InternalAccess {
  incidentsUrl: string;
  automationUrl: string;
  token: string;
}

export interface CallLimits {
  timeoutMs: number;
  connectTimeoutMs: number;
}

export function connectGateway(gateway: GatewayAccess, limits: CallLimits): Promise<McpToolSource> {
  return connectToolSource({
    kind: 'gateway',
    url: gateway.url,
    key: gateway.key,
    approvalWaitMs: 0,
    timeoutMs: limits.timeoutMs,
    connectTimeoutMs: limits.connectTimeoutMs,
    reconnect: { maxAttempts: 1 },
  });
}

/** The internal components as servers `incidents` and `automation`, acting as `automation:<name>`. */
export function connectInternal(
  internal: InternalAccess,
  identity: { id: string; org: string },
  limits: CallLimits,
): Promise<McpToolSource> {
  const callMeta = {
    [PRINCIPAL_META_KEY]: { id: identity.id, user: identity.id, org: identity.org, roles: ['responder'] },
  };
  const headers = { authorization: `Bearer ${internal.token}` };
  return connectToolSource({
    kind: 'servers',
    servers: [
      { name: 'incidents', type: 'http', url: internal.incidentsUrl, headers, callMeta },
      { name: 'automation', type: 'http', url: internal.automationUrl, headers, callMeta },
    ],
    timeoutMs: limits.timeoutMs,
    connectTimeoutMs: limits.connectTimeoutMs,
  });
}
