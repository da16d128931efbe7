/** `gatehouse lantern`'s usage text, without loading Lantern (the gateway's CLI prints it for --help). */
export const LANTERN_USAGE = [
  'gatehouse lantern serve [--port 7400] [--host 127.0.0.1] [--database FILE|postgres://…]',
  '         [--internal-port 7401] [--internal-host 127.0.0.1] [--internal-components incidents,analytics,operations]',
  '         [--no-internal]   (the internal MCP service token: LANTERN_INTERNAL_TOKEN, else generated)',
  '         [--chat-provider openai|anthropic [--chat-base-url URL] [--chat-model M] [--chat-gateway URL]]',
  '                           (gateway keys per role: LANTERN_GATEWAY_KEY_RESPONDER, …_ADMIN, …)',
  '         [--automation-gateway URL [--automation-org northwind] [--automation-interval 60]]',
  '                           (the health watch; its gateway key: LANTERN_AUTOMATION_KEY)',
  '  Run Lantern, the reference product: web UI, REST API, internal MCP server (docs/lantern.md).',
  'gatehouse lantern token --email EMAIL [--label LABEL] [--database FILE|postgres://…]',
  '  Issue a REST API token for a Lantern user (what its external MCP server needs) and print it once.',
].join('\n');
