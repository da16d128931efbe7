/**
 * `gatehouse chat`: the host as a command. It connects to the tools (one gateway, or the servers
 * of a servers file), picks the model, and either answers one question (`--prompt`, `--json` for
 * the transcript) or runs a chat in the terminal. Every failure is one line on stderr: exit 2 for
 * a call that cannot work (a flag, an unknown provider, a missing key), 1 for one that failed
 * (an unreachable gateway, a refused key, a provider error, a malformed tool call).
 */
import { Conversation } from '../agent/conversation.ts';
import { chooseModel, ProviderConfigError } from '../agent/providers.ts';
import { type Transcript, type TurnRecord, transcriptTotals } from '../agent/transcript.ts';
import type { ToolSource, UserAnswer, UserQuestion } from '../contract.ts';
import { connectToolSource, isHostError } from '../mcp/index.ts';
import { selectTools } from '../selection/choose.ts';
import { ToolSelection } from '../selection/tool-selection.ts';
import { type ChatArgs, ChatUsageError, parseChatArgs, type ToolOrigin } from './chat-args.ts';
import { CHAT_USAGE } from './chat-usage.ts';
import { askInline, runInteractive } from './interactive.ts';
import { isYes, lineReader } from './line-reader.ts';
import { terminalRenderer, tokensLine } from './render.ts';

export { CHAT_USAGE };

export interface ChatIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const WHO = 'gatehouse chat';

function processIo(): ChatIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** The URL as it may be shown: no credentials, query or fragment. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

function originLabel(origin: ToolOrigin): string {
  return origin.kind === 'gateway' ? shownUrl(origin.url) : origin.file;
}

/**
 * The tools the model is given. Through a gateway: as the gateway lists them (it decides search
 * mode per role). From a servers file: every tool, or the host's own selection (--tool-search).
 */
async function connect(origin: ToolOrigin, warn: (line: string) => void): Promise<ToolSource> {
  if (origin.kind === 'gateway')
    return connectToolSource({ kind: 'gateway', url: origin.url, key: origin.key });
  const servers = await connectToolSource({ kind: 'servers', file: origin.file });
  const started = servers.servers().filter((server) => server.state !== 'failed').length;
  for (const server of servers.servers())
    if (server.state === 'failed')
      warn(
        `${server.lastError ?? `server "${server.name}" failed to start`}; going on with the other ${started}`,
      );
  try {
    return selectTools(servers, { toolSearch: origin.toolSearch, core: origin.core });
  } catch (error) {
    await servers.close();
    if (isHostError(error) && error.kind === 'unknown-tool')
      throw new ChatUsageError(`--core: ${error.userMessage}`);
    throw error;
  }
}

/** "3 tools", or with the host's selection "2 tools (search over 57)". */
function toolsLabel(tools: ToolSource): string {
  const shown = `${tools.tools().length} tools`;
  return tools instanceof ToolSelection ? `${shown} (search over ${tools.searchable})` : shown;
}

/**
 * A confirmation in `--prompt` mode: asked on the terminal when there is one; otherwise declined,
 * with a line saying so (nobody is there to say yes, and a yes is what the gateway asks for).
 */
function promptModeAsk(io: ChatIo): (question: UserQuestion) => Promise<UserAnswer> {
  return async (question) => {
    if (io.stdin.isTTY !== true) {
      io.stderr.write(
        `${WHO}: declined the confirmation ${question.tool} asks for: there is no terminal to ask on (stdin is not a TTY); run the chat without --prompt to answer it\n`,
      );
      return { action: 'decline' };
    }
    const reader = lineReader(io.stdin, io.stderr);
    try {
      const answer = await reader.next(`? ${question.message} — allow ${question.tool}? [y/n] `);
      return isYes(answer) ? { action: 'accept' } : { action: 'decline' };
    } finally {
      reader.close();
    }
  };
}

function transcriptOf(args: ChatArgs, modelId: string, tools: ToolSource, turns: TurnRecord[]): Transcript {
  return {
    provider: args.provider,
    model: modelId,
    tools: {
      source: originLabel(args.tools),
      count: tools.tools().length,
      ...(tools instanceof ToolSelection ? { searchable: tools.searchable } : {}),
    },
    turns,
    totals: transcriptTotals(turns),
  };
}

/** `--prompt`: one turn; the answer (or the transcript) on stdout, everything else on stderr. */
async function answerOnce(conversation: Conversation, prompt: string): Promise<TurnRecord> {
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  try {
    return await conversation.runTurn(prompt, controller.signal);
  } finally {
    process.off('SIGINT', cancel);
  }
}

async function run(args: ChatArgs, io: ChatIo): Promise<number> {
  const chosen = chooseModel({
    provider: args.provider,
    model: args.model,
    baseUrl: args.baseUrl,
    env: io.env,
  });
  const tools = await connect(args.tools, (line) => io.stderr.write(`${WHO}: ${line}\n`));
  try {
    const prompt = args.prompt;
    const oneShot = prompt !== undefined;
    const reader = oneShot ? undefined : lineReader(io.stdin, io.stdout);
    const render = terminalRenderer(
      oneShot
        ? { text: args.json ? undefined : io.stdout, info: io.stderr }
        : { text: io.stdout, info: io.stdout },
    );
    const conversation = new Conversation({
      model: chosen.model,
      tools,
      endpoint: chosen.baseUrl,
      maxSteps: args.maxSteps,
      maxRetries: args.maxRetries,
      ask: reader === undefined ? promptModeAsk(io) : askInline({ reader, output: io.stdout }),
      onEvent: render,
    });
    if (reader !== undefined) {
      const banner = `${WHO}: ${chosen.provider} ${chosen.modelId}, ${toolsLabel(tools)} from ${originLabel(args.tools)}. Ctrl-C cancels a turn; Ctrl-D or /exit leaves.`;
      await runInteractive(conversation, { reader, output: io.stdout }, banner);
      return 0;
    }
    const turn = await answerOnce(conversation, prompt as string);
    if (args.json)
      io.stdout.write(
        `${JSON.stringify(transcriptOf(args, chosen.modelId, tools, conversation.turns), null, 2)}\n`,
      );
    // A turn that never reached the model has no tokens to report, only its error.
    else if (turn.error === undefined || turn.tokens.requests > 0) io.stderr.write(`${tokensLine(turn)}\n`);
    if (turn.error !== undefined) {
      io.stderr.write(`${WHO}: ${turn.error}\n`);
      return 1;
    }
    return 0;
  } finally {
    await tools.close();
  }
}

/** Runs the command; returns its exit code (the lines are already written). */
export async function chatCommand(argv: string[], io: ChatIo = processIo()): Promise<number> {
  try {
    const args = parseChatArgs(argv, io.env);
    if (args.help) {
      io.stdout.write(`Usage:\n  ${CHAT_USAGE.split('\n').join('\n  ')}\n`);
      return 0;
    }
    return await run(args, io);
  } catch (error) {
    if (error instanceof ChatUsageError) {
      io.stderr.write(`${WHO}: ${error.message} (see ${WHO} --help)\n`);
      return 2;
    }
    if (error instanceof ProviderConfigError) {
      io.stderr.write(`${WHO}: ${error.message}\n`);
      return 2;
    }
    if (isHostError(error)) {
      io.stderr.write(`${WHO}: ${error.userMessage}\n`);
      return error.kind === 'servers-file' ? 2 : 1;
    }
    throw error;
  }
}
