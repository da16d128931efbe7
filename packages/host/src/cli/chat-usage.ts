/**
 * `gatehouse chat --help`: a module without dependencies, so the gateway's CLI can show it
 * without loading the model side.
 */
import { DEFAULT_MAX_STEPS } from '../agent/defaults.ts';
import { SEARCH_THRESHOLD } from '../selection/defaults.ts';

export const CHAT_USAGE = `gatehouse chat (--url URL [--key-env VAR] | --servers FILE) [--provider anthropic|openai]
               [--base-url URL] [--model M] [--max-steps N] [--max-retries N] [--prompt TEXT [--json]]
               [--tool-search auto|on|off] [--core NAME,…]
  Ask questions in plain language; a model answers them through the gateway's tools (--url,
  key from $GATEHOUSE_API_KEY or the variable --key-env names) or through the servers of a
  Claude-Desktop-style mcpServers file (--servers). --provider anthropic (ANTHROPIC_API_KEY;
  the default) or openai: any OpenAI-compatible chat-completions endpoint (OPENAI_API_KEY when
  it needs one; --base-url http://localhost:11434/v1 for Ollama). --prompt answers one question
  and exits (--json: the whole transcript as one JSON document on stdout); without it, a chat
  in the terminal: tool calls shown as they run, confirmations asked inline, Ctrl-C cancels the
  turn, Ctrl-D leaves. --max-steps: model requests per turn (default ${DEFAULT_MAX_STEPS}).
  --tool-search (servers file only): on shows the model search_tools and call_tool instead of
  every tool (plus the --core tools, named <server>__<tool>); auto (the default) does so above
  ${SEARCH_THRESHOLD} tools. Through a gateway, the gateway decides per role.`;
