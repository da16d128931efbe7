/**
 * Tokens per turn of one scripted conversation, with the role's full tool list and in search
 * mode: what a host sends the model, counted with o200k_base over each request as an
 * OpenAI-compatible chat request carries it (the `tools` array and the `messages` so far, as
 * compact JSON). No model runs: the model's side is scripted — it calls the tool that answers the
 * question (full list), or calls search_tools with the question, then call_tool with that tool
 * (search mode). Search results are the gateway's real search_tools answers; the tool's own result
 * and the model's final answer are the same fixed stand-ins in both modes, so the difference is
 * the tool definitions and the search step.
 *
 * A turn is one user question and every model request it takes: two with the full list
 * (question → tool call; result → answer), three in search mode (question → search_tools;
 * found tools → call_tool; result → answer). History carries over from turn to turn.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { asFunction } from './tool-search-measure.ts';

/** The tool's result in both modes (a stand-in: the third-party tools cannot run offline). */
export const STAND_IN_RESULT = JSON.stringify({
  ok: true,
  summary: 'A stand-in for the tool result, identical in both modes so only the tool definitions differ.',
  items: [{ id: 'a1', status: 'ok' }],
});
export const STAND_IN_ANSWER = 'Here is what I found, in short: the stand-in answer, the same in both modes.';

export interface ScriptedTurn {
  question: string;
  /** The tool the model calls (the query set's answer). */
  tool: string;
  /** Search mode: the text of the gateway's search_tools answer to `question`. */
  searchResult?: string;
  /** Search mode: the 1-based rank of `tool` in that answer; undefined when it is not there. */
  searchRank?: number | undefined;
}

type Message = Record<string, unknown>;

export interface TurnTokens {
  /** Input tokens of every model request of the turn, added up. */
  input: number;
  /** Of those, the tool definitions (sent once per request). */
  definitions: number;
  requests: number;
}

function toolCall(id: string, name: string, args: Record<string, unknown>): Message {
  return {
    role: 'assistant',
    content: null,
    tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
  };
}

const toolResult = (id: string, content: string): Message => ({ role: 'tool', tool_call_id: id, content });

/** Counts one conversation; `steps` gives, per turn, the model's calls and their results in order. */
function count(
  tools: readonly Tool[],
  turns: readonly ScriptedTurn[],
  steps: (turn: ScriptedTurn, i: number) => { call: Message; result: Message }[],
): TurnTokens[] {
  const toolsJson = JSON.stringify(tools.map(asFunction));
  const definitions = countTokens(toolsJson);
  const history: Message[] = [];
  const request = () => countTokens(`{"tools":${toolsJson},"messages":${JSON.stringify(history)}}`);
  return turns.map((turn, i) => {
    history.push({ role: 'user', content: turn.question });
    let input = 0;
    let requests = 0;
    for (const { call, result } of steps(turn, i)) {
      input += request();
      requests++;
      history.push(call, result);
    }
    input += request();
    requests++;
    history.push({ role: 'assistant', content: STAND_IN_ANSWER });
    return { input, definitions: definitions * requests, requests };
  });
}

/** The conversation with the role's whole tool list. */
export function fullListTokens(tools: readonly Tool[], turns: readonly ScriptedTurn[]): TurnTokens[] {
  return count(tools, turns, (turn, i) => [
    { call: toolCall(`call_${i}_1`, turn.tool, {}), result: toolResult(`call_${i}_1`, STAND_IN_RESULT) },
  ]);
}

/** The same conversation in search mode: the search-mode tools/list, search_tools, call_tool. */
export function searchModeTokens(tools: readonly Tool[], turns: readonly ScriptedTurn[]): TurnTokens[] {
  return count(tools, turns, (turn, i) => {
    if (turn.searchResult === undefined) throw new Error(`no search result for "${turn.question}"`);
    return [
      {
        call: toolCall(`call_${i}_1`, 'search_tools', { query: turn.question }),
        result: toolResult(`call_${i}_1`, turn.searchResult),
      },
      {
        call: toolCall(`call_${i}_2`, 'call_tool', { name: turn.tool, arguments: {} }),
        result: toolResult(`call_${i}_2`, STAND_IN_RESULT),
      },
    ];
  });
}
