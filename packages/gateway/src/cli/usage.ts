/**
 * The CLI's usage text — one block per command, printed by `gatehouse <command> --help`, and all
 * of them by `gatehouse --help` — and its usage error (exit code 2).
 */

import { CHAT_USAGE } from '@gatehouse/host/cli-usage';
import { LANTERN_USAGE } from '@gatehouse/lantern/cli-usage';

/** A mistake in how the command was called: one line on stderr, exit code 2. */
export class CliUsageError extends Error {
  /** Whether the line should point at `gatehouse <command> --help` (a malformed call). */
  readonly pointToHelp: boolean;
  constructor(message: string, options: { pointToHelp?: boolean } = {}) {
    super(message);
    this.pointToHelp = options.pointToHelp ?? false;
  }
}

const CONFIG_NOTE = `Configuration: --config <file>, else $GATEHOUSE_CONFIG, else ./gatehouse.yaml, else the
configuration of the demo running from this directory or one above it (./scripts/start.sh).`;

/** Each command's synopsis and what it does. */
export const COMMAND_USAGE: Record<string, string> = {
  serve: `gatehouse serve [--config <file>] [--port N] [--no-watch]
  Start the gateway on Streamable HTTP (both protocol eras). SIGTERM or SIGINT drains; SIGHUP, or a
  change to the file (or to the file behind a symlink), reloads. --no-watch: reload on SIGHUP only.`,
  stdio: `gatehouse stdio [--config <file>] [--no-watch]
  Serve one client over stdin/stdout, for hosts that launch a local process. Acts as the
  configured auth.stdio principal (or auth.anonymous); without one it refuses to start.`,
  check: `gatehouse check [--config <file>]
  Validate the config; print the normalized config, or every error as
  file:line:col: path: message; found … [CODE] (exit 2).`,
  keys: `gatehouse keys create --user U [--org O] [--roles a,b] [--description D]
  Create an API key; it is printed once.
gatehouse keys list [--all] [--json]
  List keys (--all includes revoked ones).
gatehouse keys revoke <id>
  Revoke a key.`,
  explain: `gatehouse explain --as U|--roles a,b (--tool T|--resource URI|--prompt P) [--args JSON] [--json]
  Print the policy decision for one call and the rule behind it (exit 1 on deny).`,
  catalog: `gatehouse catalog --as U|--roles a,b [--json]
  Print exactly the tools, resources and prompts that caller sees, and each upstream that is
  not reachable with the reason.`,
  audit: `gatehouse audit tail [-n N]
  The newest audit records.
gatehouse audit query [--principal P] [--method M] [--target T] [--status S] [--decision D]
                      [--since ISO] [--until ISO] [--text TEXT] [--limit N]
  --text: records whose (redacted) arguments contain TEXT, ignoring case.
gatehouse audit export --jsonl
  Every record, oldest first, as JSON lines on stdout.
gatehouse audit verify [--expect-head SEQ:HASH]
  Check the hash chain against its head checkpoint (and a head you recorded); names the first
  altered, missing or truncated record.
gatehouse audit head [--json]
  Print the current head (SEQ:HASH) to record somewhere else.`,
  approvals: `gatehouse approvals list [--status S|--all] [--json]
  Queued approval requests (default: pending).
gatehouse approvals show <id>
  One request with the (redacted) arguments it would run with.
gatehouse approvals approve|deny <id> --url URL [--key-env VAR] [--note TEXT]
  Decide a pending request through the gateway as the owner of the key in $GATEHOUSE_API_KEY
  (an approver; audited). list and show take --url too.
gatehouse approvals approve|deny <id> [--by NAME] [--note TEXT]
  Decide on the gateway's host: NAME (default: the OS user) must be a configured approver; the
  audit records it and the OS user.`,
  pins: `gatehouse pins list [--json]
  Pinned tool definitions and pending upstream changes.
gatehouse pins diff <upstream>/<tool>
  What the upstream changed: pinned vs pending definition, per field.
gatehouse pins approve <upstream>/<tool> [--hash H] [--by NAME] | --all [--by NAME]
  Pin the pending definition; a running gateway serves it within seconds (audited). NAME (default:
  the OS user) must be a configured approver.`,
  sandbox: `gatehouse sandbox [--port 7300] [--host 127.0.0.1] [--seed N] [--now YYYY-MM-DD] [--token T]…
                  [--only a,b] [--fault service:latency=MS,errors=RATE,outage]…
  Run the loopback stand-ins for HubSpot, Intercom, ChargeOver, Open-Meteo and the platform API
  with seeded data (no configuration needed).`,
  demo: `gatehouse demo [--config examples/demo/gatehouse.yaml] [--port N] [--sandbox-port N] [--rotate-keys]
  The sandbox, the gateway with the five domain servers and a key per demo role (sales,
  support, finance, sre, admin), printed with what each sees. The keys are kept across restarts
  (--rotate-keys replaces them). While it runs, the other commands use its configuration and
  environment when given no --config.`,
  connect: `gatehouse connect [--url http://127.0.0.1:8080/mcp] [--key-env GATEHOUSE_API_KEY]
  A stdio bridge to a running gateway for hosts that only launch local processes; carries the
  API key from the named variable (no configuration needed).`,
  certs: `gatehouse certs dev [--out certs] [--names gateway,customer,…] [--days 365] [--namespace NS]
  Write a local CA (ca.pem, ca-key.pem; reused when --out has them) and per name NAME.pem and
  NAME-key.pem, valid for NAME, localhost, 127.0.0.1 and ::1 (and NAME.NS.svc with --namespace),
  for mutual TLS between the gateway and domain servers on a laptop or in a test. Keys get mode
  0600. Default names: gateway and the five domain servers.`,
  chat: CHAT_USAGE,
  lantern: LANTERN_USAGE,
};

/** The commands that read a gateway configuration. */
export const CONFIG_COMMANDS = new Set([
  'serve',
  'stdio',
  'check',
  'keys',
  'explain',
  'catalog',
  'audit',
  'approvals',
  'pins',
]);

/** `gatehouse <command> --help`. */
export function commandUsage(command: string): string {
  const text = COMMAND_USAGE[command] ?? '';
  const options = CONFIG_COMMANDS.has(command)
    ? `\n\nOptions:\n  -c, --config <file>   The configuration (see below)\n  -h, --help            Show this help\n\n${CONFIG_NOTE}`
    : '\n\nOptions:\n  -h, --help            Show this help';
  return `Usage:\n${indent(text)}${options}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export const USAGE = `Usage: gatehouse <command> [options]

Commands:
${Object.values(COMMAND_USAGE).map(indent).join('\n')}

Options:
  -c, --config <file>   Path to the configuration (see below)
  -p, --port <port>     Override server.port (serve)
  -h, --help            Show this help; \`gatehouse <command> --help\` for one command

${CONFIG_NOTE}
`;
