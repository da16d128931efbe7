/** The CLI's usage text and its usage error (exit code 2). */
export class CliUsageError extends Error {}

export const USAGE = `Usage: gatehouse <command> [options] --config <file>

Commands:
  serve                 Start the gateway on Streamable HTTP (both protocol eras)
  stdio                 Serve one client over stdin/stdout (for hosts that launch a local process)
  check                 Validate the config; print the normalized config or every error
  keys create --user U [--org O] [--roles a,b] [--description D]
                        Create an API key; it is printed once
  keys list [--all]     List keys (--all includes revoked ones)
  keys revoke <id>      Revoke a key
  explain --as U|--roles a,b (--tool T|--resource URI|--prompt P) [--args JSON]
                        Print the policy decision for one call and the rule behind it
  catalog --as U|--roles a,b [--json]
                        Print exactly the tools, resources and prompts that caller sees
  audit tail [-n N]     The newest audit records
  audit query [--principal P] [--method M] [--target T] [--status S] [--decision D]
              [--since ISO] [--until ISO] [--limit N]
  audit export --jsonl  Every record, oldest first, as JSON lines on stdout
  audit verify [--expect-head SEQ:HASH]
                        Check the hash chain against its head checkpoint (and a head you
                        recorded); names the first altered, missing or truncated record
  audit head [--json]   Print the current head (SEQ:HASH) to record somewhere else
  approvals list [--status S|--all] [--json]
                        Queued approval requests (default: pending)
  approvals show <id>   One request with the (redacted) arguments it would run with
  approvals approve <id> [--by NAME] [--note TEXT]
  approvals deny <id> [--by NAME] [--note TEXT]
                        Decide a pending request (audited; --by defaults to the OS user)
  pins list [--json]    Pinned tool definitions and pending upstream changes
  pins diff <upstream>/<tool>
                        What the upstream changed: pinned vs pending definition, per field
  pins approve <upstream>/<tool> [--hash H] [--by NAME] | --all [--by NAME]
                        Pin the pending definition; a running gateway serves it within seconds
                        (audited by the gateway; --by defaults to the OS user)
  sandbox [--port 7300] [--seed N] [--now YYYY-MM-DD] [--fault svc:latency=MS,errors=RATE,outage]…
                        Run the loopback stand-ins for HubSpot, Intercom, ChargeOver, Open-Meteo
                        and the platform API with seeded data (no --config needed)
  demo [--config examples/demo/gatehouse.yaml] [--port N] [--sandbox-port N]
                        The sandbox, the gateway with the five domain servers and a key per
                        demo role (sales, support, finance, sre, admin), printed with what each sees
  connect [--url http://127.0.0.1:8080/mcp] [--key-env GATEHOUSE_API_KEY]
                        A stdio bridge to a running gateway for hosts that only launch local
                        processes; carries the API key from the named variable (no --config)

Options:
  -c, --config <file>   Path to gatehouse.yaml (default: gatehouse.yaml)
  -p, --port <port>     Override server.port (serve)
  -h, --help            Show this help
`;
