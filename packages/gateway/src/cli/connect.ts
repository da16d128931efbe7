/**
 * `gatehouse connect`: a stdio bridge for hosts that only launch local processes (Claude Desktop
 * and the like). The host speaks MCP on our stdin/stdout; every message is relayed unchanged to
 * a Gatehouse endpoint over Streamable HTTP with the user's API key, and everything the gateway
 * sends comes back the same way. The relay is message-level, so both protocol eras pass through:
 * a 2025-era handshake opens a gateway session (its protocol version is then set on the HTTP
 * transport), and 2026-07-28 requests carry their own envelope, from which the SDK transport
 * derives the per-request headers.
 *
 * A host may write its next messages without waiting for the answer to `initialize` (a script,
 * a pipe). In the 2025 era they need the session that answer opens, so the bridge holds them until
 * it has arrived, and relays them in the order they came.
 *
 * When the gateway cannot be reached or refuses the key, the request that was being relayed is
 * answered with a JSON-RPC error saying so (with the gateway's own reason, when it gave one), and
 * the bridge keeps running.
 */
import { parseArgs } from 'node:util';
import {
  type JSONRPCMessage,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { CliUsageError } from './usage.ts';

/**
 * The error a host sees for a request the bridge could not deliver. `missingKey` names the
 * variable that should have held the API key, when it was empty: then a refusal says that, in one
 * message, instead of blaming a key that was never sent.
 */
export function deliveryError(
  url: string,
  error: unknown,
  missingKey?: string,
): { code: number; message: string } {
  if (error instanceof SdkHttpError) {
    if (error.status === 401 && missingKey !== undefined) {
      return {
        code: -32001,
        message: `Gatehouse at ${url} needs an API key, and ${missingKey} is empty: set it to a key (gatehouse keys create)`,
      };
    }
    if (error.status === 401 || error.status === 403) {
      return {
        code: -32001,
        message: `Gatehouse at ${url} refused the API key (HTTP ${error.status}); check the key`,
      };
    }
    const reason = gatewayReason(error.data);
    return {
      code: -32000,
      message: `Gatehouse at ${url} answered HTTP ${error.status}${reason === undefined ? '' : `: ${reason}`}`,
    };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { code: -32000, message: `Gatehouse at ${url} is unreachable: ${reason}` };
}

/** The message of the JSON-RPC error the gateway answered with, if its body was one. */
function gatewayReason(data: unknown): string | undefined {
  const text = (data as { text?: unknown } | undefined)?.text;
  if (typeof text !== 'string') return undefined;
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function initializeVersion(message: JSONRPCMessage): string | undefined {
  if (!('result' in message)) return undefined;
  const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
  return typeof version === 'string' ? version : undefined;
}

/** How long answers are awaited once the host's input has ended. */
const ANSWER_WAIT_MS = 30_000;

export interface Bridge {
  closed: Promise<void>;
}

export async function startBridge(
  url: string,
  apiKey: string | undefined,
  keyEnv = 'GATEHOUSE_API_KEY',
): Promise<Bridge> {
  const missingKey = apiKey ? undefined : keyEnv;
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const http = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const stdio = new StdioServerTransport();
  const pendingInitialize = new Set<string | number>();
  // What the host sent after an initialize waits for its answer (the session it opens): each
  // message is relayed once the initialize before it, if any, has been answered or has failed.
  let handshake: Promise<void> = Promise.resolve();
  const handshakeDone = new Map<string | number, () => void>();
  // Requests sent and not yet answered. A host that writes its requests and closes its input (a
  // pipe) still gets every answer, for at most ANSWER_WAIT_MS; the stdio transport closes itself
  // when its input ends, so answers after that are written to stdout directly.
  const unanswered = new Set<string | number>();
  let inputEnded = false;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let finishing = false;
  const finish = (): void => {
    if (finishing) return;
    finishing = true;
    http
      .terminateSession()
      .catch(() => {})
      .finally(() => http.close().finally(resolveClosed));
  };
  const finishWhenAnswered = (): void => {
    if (inputEnded && unanswered.size === 0) finish();
  };
  const toHost = (message: JSONRPCMessage): Promise<void> =>
    inputEnded
      ? new Promise((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()))
      : stdio.send(message);
  const answer = (message: JSONRPCMessage, id: string | number | undefined): void => {
    void toHost(message)
      .catch(() => {})
      .finally(() => {
        if (id !== undefined && unanswered.delete(id)) finishWhenAnswered();
      });
  };

  http.onmessage = (message) => {
    const answered = 'id' in message && message.id !== undefined && !('method' in message);
    if ('id' in message && message.id !== undefined && pendingInitialize.delete(message.id)) {
      const version = initializeVersion(message);
      if (version !== undefined) http.setProtocolVersion(version);
      handshakeDone.get(message.id)?.();
    }
    answer(message, answered ? (message.id as string | number) : undefined);
  };
  // A refused or failed POST is reported once, by the send path below (with its reason); the
  // transport's own report of it would say the same thing again.
  http.onerror = (error) => {
    if (!(error instanceof SdkHttpError)) process.stderr.write(`gatehouse connect: ${error.message}\n`);
  };
  const relay = (message: JSONRPCMessage, id: string | number | undefined): void => {
    http.send(message).catch((error: unknown) => {
      process.stderr.write(`gatehouse connect: ${deliveryError(url, error, missingKey).message}\n`);
      if (id === undefined || !('method' in message)) return;
      pendingInitialize.delete(id);
      handshakeDone.get(id)?.();
      answer({ jsonrpc: '2.0', id, error: deliveryError(url, error, missingKey) }, id);
    });
  };
  stdio.onmessage = (message) => {
    const id = 'id' in message ? message.id : undefined;
    if ('method' in message && id !== undefined) unanswered.add(id);
    const before = handshake;
    if ('method' in message && message.method === 'initialize' && id !== undefined) {
      pendingInitialize.add(id);
      handshake = new Promise<void>((resolve) =>
        handshakeDone.set(id, () => {
          handshakeDone.delete(id);
          resolve();
        }),
      );
    }
    void before.then(() => relay(message, id));
  };
  stdio.onclose = () => {
    inputEnded = true;
    finishWhenAnswered();
    setTimeout(finish, ANSWER_WAIT_MS).unref();
  };
  await http.start();
  await stdio.start();
  return { closed };
}

export async function connectCommand(argv: string[], env = process.env): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080/mcp' },
      'key-env': { type: 'string', default: 'GATEHOUSE_API_KEY' },
    },
    strict: true,
  });
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new CliUsageError(`--url is not a URL: ${values.url}`, { pointToHelp: true });
  }
  // An empty key is not an error by itself (a gateway may allow anonymous callers); a refusal
  // then says which variable was empty.
  const bridge = await startBridge(url.toString(), env[values['key-env']] || undefined, values['key-env']);
  await bridge.closed;
}
