/**
 * The built-in chat's routes, behind sign-in (and the CSRF check for posts, as every form):
 *
 *   GET  /chat          the page
 *   POST /chat/turn     {message} → the turn's events as NDJSON while it runs (text, tool calls,
 *                       questions, the end with tokens); a client that goes away cancels the turn
 *   POST /chat/answer   {id, action: accept|decline} → the user's answer to an open question
 */
import type { UserAnswer } from '@gatehouse/host';
import { type Context, Hono } from 'hono';
import * as z from 'zod';
import type { ChatService } from '../chat/chat-service.ts';
import type { ChatEvent } from '../chat/chat-session.ts';
import { chatPage } from './chat-page.ts';
import type { WebEnv } from './session.ts';

const TurnBody = z.object({ message: z.string().trim().min(1).max(4_000) });
const AnswerBody = z.object({ id: z.string().min(1).max(100), action: z.enum(['accept', 'decline']) });

/** What of an event the page needs (a tool result's full content stays on the server). */
function forPage(event: ChatEvent | { type: 'error'; message: string }): unknown {
  if (event.type !== 'tool-result') return event;
  const { id, name, isError, latencyMs, resultBytes, error } = event.call;
  return {
    type: 'tool-result',
    call: { id, name, isError, latencyMs, resultBytes, ...(error ? { error } : {}) },
  };
}

async function jsonOf(c: Context<WebEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

export function chatRoutes(chat: ChatService | undefined, unavailable: string): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();
  const sessionKey = (c: Context<WebEnv>) => c.get('session').cookie;

  routes.get('/chat', async (c) => {
    const session = c.get('session');
    if (chat === undefined) return c.html(chatPage(session, { unavailable }));
    try {
      const live = await chat.session(sessionKey(c), session.user);
      const tools = live.toolNames();
      const servers = live.servers().map((s) => ({
        name: s.name,
        state: s.state,
        tools: tools.filter((t) => t.startsWith(`${s.name}__`)).length,
      }));
      return c.html(chatPage(session, { model: chat.modelLabel, servers }));
    } catch (error) {
      return c.html(
        chatPage(session, {
          unavailable: `The chat cannot reach its tools: ${String((error as Error).message)}`,
        }),
        503,
      );
    }
  });

  routes.post('/chat/turn', async (c) => {
    if (chat === undefined) return c.text(unavailable, 503);
    const parsed = TurnBody.safeParse(await jsonOf(c));
    if (!parsed.success) return c.text('Send {"message": "…"} with a question of 1–4000 characters.', 422);
    const live = await chat.session(sessionKey(c), c.get('session').user);
    if (live.running)
      return c.text('A question is still being answered in this chat; wait for it to finish.', 409);
    const encoder = new TextEncoder();
    const cancel = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => cancel.abort(), { once: true });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (event: ChatEvent | { type: 'error'; message: string }) => {
          try {
            controller.enqueue(encoder.encode(`${JSON.stringify(forPage(event))}\n`));
          } catch {
            cancel.abort();
          }
        };
        live
          .turn(parsed.data.message, send, cancel.signal)
          .catch((error: unknown) => send({ type: 'error', message: String((error as Error).message) }))
          .finally(() => {
            try {
              controller.close();
            } catch {
              // the client is gone
            }
          });
      },
      cancel() {
        cancel.abort();
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' },
    });
  });

  routes.post('/chat/answer', async (c) => {
    if (chat === undefined) return c.text(unavailable, 503);
    const parsed = AnswerBody.safeParse(await jsonOf(c));
    if (!parsed.success) return c.text('Send {"id": "…", "action": "accept" | "decline"}.', 422);
    const live = await chat.session(sessionKey(c), c.get('session').user);
    const answer: UserAnswer = { action: parsed.data.action };
    return live.answer(parsed.data.id, answer) ? c.body(null, 204) : c.text('No such open question.', 404);
  });
  return routes;
}
