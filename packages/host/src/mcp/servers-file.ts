/**
 * The servers file: the `mcpServers` object Claude Desktop (and most hosts) read, checked with zod.
 *
 *   { "mcpServers": {
 *       "files":  { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."],
 *                   "env": { "TOKEN": "${MY_TOKEN}" }, "cwd": "/tmp" },
 *       "remote": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer ${KEY}" } },
 *       "typed":  { "type": "http" | "streamable-http" | "stdio", … } } }
 *
 * A server without `type` is stdio when it has a `command`, HTTP when it has a `url`. `${VAR}` and
 * `${VAR:-default}` in `command`, `args`, `env`, `cwd`, `url` and `headers` are read from the
 * environment; a variable that is not set (and has no default) is an error naming it. Gatehouse
 * adds two optional fields per server: `timeoutMs` (each call's limit) and `protocol`
 * (`auto`, `2025-11-25` or `2026-07-28`). Unknown fields (`disabled`, `autoApprove`, …) are ignored.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { HostError } from './errors.ts';

/** A server's key: letters, digits, `-` and single `_` (a double `__` separates server and tool). */
export const SERVER_NAME = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;
const MAX_SERVER_NAME = 32;

export type ProtocolChoice = 'auto' | '2025-11-25' | '2026-07-28';

const common = {
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  protocol: z.enum(['auto', '2025-11-25', '2026-07-28']).optional(),
};

const StdioServer = z.object({
  type: z.literal('stdio'),
  command: z.string().min(1, 'must not be empty'),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().min(1).optional(),
  ...common,
});

const HttpServer = z.object({
  type: z.enum(['http', 'streamable-http']),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  headers: z.record(z.string(), z.string()).default({}),
  ...common,
});

/** Gives a server without `type` the one its fields imply; an `sse` server is refused clearly. */
function inferType(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entry = value as Record<string, unknown>;
  if (entry.type !== undefined) return entry;
  if ('command' in entry) return { ...entry, type: 'stdio' };
  if ('url' in entry) return { ...entry, type: 'http' };
  return entry;
}

const ServerEntry = z.preprocess(
  inferType,
  z.discriminatedUnion('type', [StdioServer, HttpServer], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'needs a "command" (stdio) or a "url" (Streamable HTTP); "type" may be "stdio", "http" or "streamable-http" (SSE servers are not supported)'
        : undefined,
  }),
);

const ServersFile = z.object({
  mcpServers: z
    .record(
      z
        .string()
        .max(MAX_SERVER_NAME, `a server name has at most ${MAX_SERVER_NAME} characters`)
        .regex(SERVER_NAME, 'a server name is letters, digits, "-" and single "_" (no "__")'),
      ServerEntry,
    )
    .refine((servers) => Object.keys(servers).length > 0, 'lists no server'),
});

/**
 * Set by a program, never read from a servers file: `_meta` sent with every tools/call to the
 * server — e.g. the user a product's own host acts for, which its internal server trusts because
 * the connection carries the service credential.
 */
interface ProgrammaticFields {
  callMeta?: Record<string, unknown>;
}

export type StdioServerConfig = z.infer<typeof StdioServer> & { name: string } & ProgrammaticFields;
export type HttpServerConfig = z.infer<typeof HttpServer> & { name: string } & ProgrammaticFields;
export type ServerConfig = StdioServerConfig | HttpServerConfig;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` / `${VAR:-default}` in `text`, from `env`; the names of unset variables go to `missing`. */
export function expandVariables(text: string, env: NodeJS.ProcessEnv, missing: Set<string>): string {
  return text.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    missing.add(name);
    return '';
  });
}

function expandRecord(
  record: Record<string, string>,
  env: NodeJS.ProcessEnv,
  missing: Set<string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, expandVariables(v, env, missing)]));
}

function expandServer(
  name: string,
  server: ServerConfig,
  env: NodeJS.ProcessEnv,
  where: string,
): ServerConfig {
  const missing = new Set<string>();
  const x = (text: string) => expandVariables(text, env, missing);
  const expanded: ServerConfig =
    server.type === 'stdio'
      ? {
          ...server,
          command: x(server.command),
          args: server.args.map(x),
          env: expandRecord(server.env, env, missing),
          ...(server.cwd === undefined ? {} : { cwd: x(server.cwd) }),
        }
      : { ...server, url: x(server.url), headers: expandRecord(server.headers, env, missing) };
  if (missing.size > 0) {
    const names = [...missing].map((n) => `\${${n}}`).join(', ');
    throw new HostError(
      'servers-file',
      `${where}: mcpServers.${name}: environment variable ${names} is not set`,
    );
  }
  return expanded;
}

/** Where JSON.parse stopped, without the snippet of the file V8 quotes (it may hold a secret). */
function jsonErrorPlace(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /position (\d+)/.exec(message);
  if (position) return ` (at character ${position[1]})`;
  return /end of JSON input/.test(message) ? ' (it ends too early)' : '';
}

function issueLine(where: string, issue: z.core.$ZodIssue): string {
  let at = issue.path;
  let message = issue.message;
  // A server without command or url: the issue is about the server, not its (absent) type.
  if (issue.code === 'invalid_union' && at.at(-1) === 'type') at = at.slice(0, -1);
  // A bad server name: zod reports the key's own issue inside.
  if (issue.code === 'invalid_key' && issue.issues[0]) message = issue.issues[0].message;
  const path = at.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
  return `${where}: ${path === '' ? '' : `${path}: `}${message}`;
}

/** Parses the text of a servers file (`where` names it in errors); variables come from `env`. */
export function parseServersText(
  text: string,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HostError('servers-file', `${where}: not valid JSON${jsonErrorPlace(error)}`);
  }
  const parsed = ServersFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HostError('servers-file', first ? issueLine(where, first) : `${where}: invalid`);
  }
  return Object.entries(parsed.data.mcpServers).map(([name, server]) =>
    expandServer(name, { ...server, name } as ServerConfig, env, where),
  );
}

/** Reads and parses a servers file. */
export async function readServersFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new HostError('servers-file', `cannot read the servers file ${path}: ${why}`);
  }
  return parseServersText(text, path, env);
}
