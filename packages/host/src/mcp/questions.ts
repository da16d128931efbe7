/**
 * Putting a server's question to the person, and giving their answer the shape the server asked
 * for. One question reaches the host two ways: a 2025-era `elicitation/create` request during the
 * call, or a 2026-07-28 `input_required` answer to it (call.ts) — both end here.
 *
 * An "accept" without content to a form whose required fields are all yes/no (the gateway's
 * approval question is `{ approve: boolean }`) means yes to each of them, so a chat that only asks
 * "approve? [y/n]" answers it correctly.
 */
import type { CallToolOptions, UserAnswer } from '../contract.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function yesToEveryRequiredBoolean(schema: Json | undefined): Json | undefined {
  if (schema === undefined || !isRecord(schema.properties)) return undefined;
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
  if (required.length === 0) return undefined;
  const properties = schema.properties;
  if (!required.every((name) => isRecord(properties[name]) && properties[name].type === 'boolean'))
    return undefined;
  return Object.fromEntries(required.map((name) => [name, true]));
}

/** The elicitation result for `answer` to a question that asked for `schema`. */
export function elicitationResult(answer: UserAnswer, schema: Json | undefined): Json {
  if (answer.action !== 'accept') return { action: answer.action };
  const content = answer.content ?? yesToEveryRequiredBoolean(schema);
  return content === undefined ? { action: 'accept' } : { action: 'accept', content };
}

/** Asks the person one elicitation (its `params`) about `tool`; resolves with the elicitation result. */
export async function askElicitation(params: Json, tool: string, ask: CallToolOptions['ask']): Promise<Json> {
  if (params.mode === 'url') return { action: 'decline' }; // only form mode is declared
  const schema = isRecord(params.requestedSchema) ? params.requestedSchema : undefined;
  const message = typeof params.message === 'string' ? params.message : `${tool} asks for your input`;
  const answer = await ask({ message, tool, ...(schema === undefined ? {} : { requestedSchema: schema }) });
  return elicitationResult(answer, schema);
}

/**
 * The answers to a 2026-07-28 `inputRequests` map: elicitations are put to the person (one after
 * the other), `roots/list` gets no roots; anything else (sampling — not offered) is refused.
 */
export async function answerInputRequests(
  requests: Json,
  tool: string,
  ask: CallToolOptions['ask'],
): Promise<Json> {
  const answers: Json = {};
  for (const [key, request] of Object.entries(requests)) {
    if (!isRecord(request)) continue;
    const params = isRecord(request.params) ? request.params : {};
    if (request.method === 'elicitation/create') answers[key] = await askElicitation(params, tool, ask);
    else if (request.method === 'roots/list') answers[key] = { roots: [] };
    else throw new Error(`the server asked for ${String(request.method)}, which this host does not offer`);
  }
  return answers;
}
