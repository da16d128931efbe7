/**
 * The chat page's script (served as /assets/chat.js; the CSP allows only the product's own
 * scripts). It posts a question, reads the turn's events as NDJSON while they stream, shows the
 * answer as it grows and each tool call as it runs and ends, and puts a confirmation in the page
 * when a destructive call waits for the user. No framework.
 */
export const CHAT_SCRIPT = `
const form = document.getElementById('ask');
const prompt = document.getElementById('prompt');
const send = document.getElementById('send');
const log = document.getElementById('log');
const csrf = form.dataset.csrf;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function post(path, body) {
  return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
}

function turnView(question) {
  const you = el('div', { class: 'msg you' });
  you.append(el('strong', {}, 'You'), el('p', {}, question));
  const bot = el('div', { class: 'msg bot' });
  const tools = el('ul', { class: 'tools', 'aria-label': 'Tool calls' });
  const answer = el('p', { class: 'answer' });
  const meta = el('p', { class: 'muted' }, 'Working…');
  bot.append(el('strong', {}, 'Lantern'), tools, answer, meta);
  log.append(you, bot);
  return { bot, tools, answer, meta, calls: new Map() };
}

function showCall(view, event) {
  const item = el('li', { class: 'tool running' });
  const details = el('details');
  const summary = el('summary');
  summary.append(el('code', {}, event.name), el('span', { class: 'state' }, ' running…'));
  details.append(summary, el('pre', {}, JSON.stringify(event.arguments, null, 2)));
  item.append(details);
  view.tools.append(item);
  view.calls.set(event.id, item);
}

function finishCall(view, call) {
  const item = view.calls.get(call.id);
  if (!item) return;
  item.className = 'tool ' + (call.isError ? 'failed' : 'done');
  item.querySelector('.state').textContent = call.isError
    ? ' failed' + (call.error ? ': ' + call.error : '') + ' (' + Math.round(call.latencyMs) + ' ms)'
    : ' done (' + Math.round(call.latencyMs) + ' ms)';
  if (call.name !== item.querySelector('code').textContent) item.querySelector('code').textContent = call.name;
}

function showQuestion(view, event) {
  const box = el('div', { class: 'question', role: 'alertdialog', 'aria-labelledby': event.id + '-m', id: event.id });
  box.append(el('p', { id: event.id + '-m' }, event.message));
  const yes = el('button', { type: 'button', class: 'danger' }, 'Confirm');
  const no = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const answer = async (action) => {
    yes.disabled = no.disabled = true;
    await post('/chat/answer', { id: event.id, action });
  };
  yes.addEventListener('click', () => answer('accept'));
  no.addEventListener('click', () => answer('decline'));
  box.append(yes, document.createTextNode(' '), no);
  view.bot.insertBefore(box, view.answer);
  no.focus();
}

function closeQuestion(event) {
  const box = document.getElementById(event.id);
  if (!box) return;
  box.querySelectorAll('button').forEach((b) => b.remove());
  box.append(el('p', { class: 'muted' }, event.action === 'accept' ? 'Confirmed.' : 'Not done.'));
  box.removeAttribute('role');
  box.classList.add('closed');
}

function handle(view, event) {
  switch (event.type) {
    case 'text-delta': view.answer.textContent += event.text; break;
    case 'tool-call': showCall(view, event); break;
    case 'tool-status': {
      const item = view.calls.get(event.id);
      if (item && event.status.kind === 'awaiting-approval') item.querySelector('.state').textContent = ' waiting for an approver…';
      break;
    }
    case 'tool-result': finishCall(view, event.call); break;
    case 'question': showQuestion(view, event); break;
    case 'question-closed': closeQuestion(event); break;
    case 'turn-end': {
      const t = event.turn;
      const calls = t.toolCalls.length;
      view.meta.textContent = (t.outcome === 'answered' ? '' : 'Stopped: ' + (t.error || t.outcome) + '. ') +
        calls + ' tool call' + (calls === 1 ? '' : 's') + ' · ' + (t.tokens.input + t.tokens.output) + ' tokens · ' +
        (t.durationMs / 1000).toFixed(1) + ' s';
      if (t.outcome !== 'answered') view.meta.className = 'alert';
      break;
    }
    case 'error': view.meta.textContent = event.message; view.meta.className = 'alert'; break;
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const question = prompt.value.trim();
  if (!question) return;
  prompt.value = '';
  send.disabled = true;
  const view = turnView(question);
  try {
    const response = await post('/chat/turn', { message: question });
    if (!response.ok || !response.body) {
      handle(view, { type: 'error', message: (await response.text()) || 'The chat could not start this turn.' });
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      let newline;
      while ((newline = buffered.indexOf('\\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) handle(view, JSON.parse(line));
      }
    }
  } catch (error) {
    handle(view, { type: 'error', message: 'The connection to Lantern was lost: ' + error.message });
  } finally {
    send.disabled = false;
    prompt.focus();
  }
});

prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
});
`;
