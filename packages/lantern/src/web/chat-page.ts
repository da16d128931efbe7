/** The chat page: the conversation so far (filled by /assets/chat.js), the question box, and what the chat reaches. */
import { html } from 'hono/html';
import type { WebSession } from '../domain/accounts.ts';
import { type Markup, page } from './layout.ts';

export interface ChatPageInfo {
  /** Why there is no chat (not configured, or its servers are unreachable), when there is none. */
  unavailable?: string;
  model?: string;
  /** Server name → its tools' count. */
  servers?: { name: string; tools: number; state: string }[];
}

export function chatPage(session: WebSession, info: ChatPageInfo): Markup {
  const body =
    info.unavailable !== undefined
      ? html`<h1>Ask Lantern</h1><div class="alert" role="alert">${info.unavailable}</div>`
      : html`<h1>Ask Lantern</h1>
      <p class="muted">Answers come from tools, and each call is shown. Model: ${info.model}. Reaches:
      ${(info.servers ?? []).map((s, i) => html`${i > 0 ? ', ' : ''}${s.name} (${s.tools} tools${s.state === 'ready' ? '' : `, ${s.state}`})`)}.</p>
      <section aria-labelledby="conv-h"><h2 id="conv-h" class="skip">Conversation</h2>
        <div id="log" role="log" aria-live="polite"></div></section>
      <form id="ask" class="card" data-csrf="${session.csrf}">
        <label for="prompt">Your question</label>
        <textarea id="prompt" name="prompt" required maxlength="4000" placeholder="Which incidents are open on checkout-api, and is the service healthy now?"></textarea>
        <p class="row"><span class="muted">Enter sends; Shift+Enter starts a new line.</span><button id="send" class="shrink" type="submit">Ask</button></p>
      </form>`;
  return page({
    title: 'Ask Lantern',
    session,
    current: '/chat',
    body,
    ...(info.unavailable === undefined ? { script: '/assets/chat.js' } : {}),
  });
}
