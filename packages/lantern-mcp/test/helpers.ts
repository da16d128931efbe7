/**
 * The test world: a real Lantern on a fresh SQLite file (the product's own test helper, with a
 * token per seeded user) and this server run as its own stdio process, as an MCP host runs it,
 * with the SDK client connected to it.
 */
import { fileURLToPath } from 'node:url';
import { TOOL_ERROR_META_KEY } from '@gatehouse/kit';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { sqliteDatabases } from '../../lantern/test/helpers/backends.ts';
import { startTestLantern, type TestLantern } from '../../lantern/test/helpers/lantern.ts';

export { ALICE, BOB, CAROL, DAVE, OLIVIA } from '../../lantern/test/helpers/lantern.ts';

export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The tools the server lists, `health` (the kit's) included. */
export const TOOL_NAMES = [
  'add_incident_note',
  'delete_incident',
  'get_incident',
  'health',
  'list_incidents',
  'list_services',
  'open_incident',
  'set_incident_status',
  'whoami',
];

export interface World {
  readonly lantern: TestLantern;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const databases = sqliteDatabases();
  const lantern = await startTestLantern(await databases.fresh());
  return {
    lantern,
    async close() {
      await lantern.close();
      await databases.cleanup();
    },
  };
}

export interface Outcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  /** `_meta["dev.gatehouse/tool-error"]` of an error result. */
  error: { code?: string; details?: { status?: number; modelCanFix?: boolean } } | undefined;
}

export interface StdioServer {
  readonly client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<Outcome>;
  /** Whether the server process is still running. */
  alive(): boolean;
  close(): Promise<void>;
}

/** Runs `node src/main.ts` over stdio with only these variables (and PATH) in its environment. */
export async function stdioServer(env: Record<string, string>): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN],
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'lantern-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as Record<string, unknown>;
      const content = (result.content ?? []) as { text?: string }[];
      const meta = result._meta as Record<string, Outcome['error']> | undefined;
      return {
        isError: result.isError === true,
        text: content.map((c) => c.text ?? '').join(''),
        structured: result.structuredContent as Record<string, unknown> | undefined,
        error: meta?.[TOOL_ERROR_META_KEY],
      };
    },
    alive: () => transport.pid !== null && isRunning(transport.pid),
    close: () => client.close(),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A stdio server acting as one seeded user of `lantern`. */
export function serverAs(lantern: TestLantern, email: string): Promise<StdioServer> {
  const token = lantern.tokens[email];
  if (token === undefined) throw new Error(`no token for ${email}`);
  return stdioServer({ LANTERN_URL: lantern.url, LANTERN_TOKEN: token });
}

/** The structured output of a successful call; fails the test with the tool's text otherwise. */
export function body(outcome: Outcome): Record<string, unknown> {
  if (outcome.isError || outcome.structured === undefined) {
    throw new Error(`expected a structured result, got: ${outcome.text}`);
  }
  return outcome.structured;
}
