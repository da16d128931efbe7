/**
 * Closing an upstream client. For a 2025-era Streamable HTTP upstream the gateway first ends the
 * session it opened there (DELETE with its `Mcp-Session-Id`, the SDK transport's
 * `terminateSession()`): the SDK client's `close()` sends none, so every reconnect and every
 * shutdown would otherwise leave a session behind on the upstream until it idles out.
 *
 * Ending the session is a courtesy to the upstream, never a reason to wait: a refusal (405, which
 * the spec allows), an error or an upstream that does not answer within `timeoutMs` is let go,
 * and `close()` then aborts whatever DELETE is still in flight.
 */
import { type Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Logger } from '../observability/logger.ts';

export const END_SESSION_TIMEOUT_MS = 1000;

/** Closes `client`, ending first the 2025-era session it opened on an HTTP upstream. */
export async function closeClient(
  client: Client,
  log: Pick<Logger, 'debug'>,
  timeoutMs = END_SESSION_TIMEOUT_MS,
): Promise<void> {
  await endUpstreamSession(client, timeoutMs, (error) =>
    log.debug({ err: error instanceof Error ? error.message : String(error) }, 'upstream session not ended'),
  );
  await client.close().catch(() => {});
}

/** Sends DELETE for the client's 2025-era HTTP session, if it has one; resolves within `timeoutMs`. */
async function endUpstreamSession(
  client: Client,
  timeoutMs: number,
  onFailure: (error: unknown) => void,
): Promise<void> {
  const transport = client.transport;
  if (!(transport instanceof StreamableHTTPClientTransport) || transport.sessionId === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onFailure(new Error(`no answer to DELETE within ${timeoutMs} ms`));
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([transport.terminateSession().catch(onFailure), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
