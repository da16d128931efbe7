/**
 * `gatehouse approvals … --url URL`: the approval queue through a running gateway's HTTP API,
 * as the principal whose credential is in $GATEHOUSE_API_KEY (or --key-env). The gateway
 * authenticates it, checks it holds an approver role and is not deciding its own request, and
 * records it as the approver; no configuration file or database access is needed.
 */
import { parseArgs } from 'node:util';
import type { ApprovalRequest } from '../approvals/approval-store.ts';
import { APPROVALS_API_PATH } from '../transport/approvals-api.ts';
import { APPROVAL_STATUSES, approvalDetails, approvalLine } from './approvals-format.ts';
import { CliUsageError } from './usage.ts';

/** Does this `approvals` command line ask to go through a gateway? */
export function wantsGateway(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--url' || arg.startsWith('--url='));
}

interface Call {
  base: URL;
  key: string;
  keyEnv: string;
}

type Answer = { ok: true; body: unknown } | { ok: false; message: string };

async function request(call: Call, path: string, init: RequestInit = {}): Promise<Answer> {
  const url = new URL(`${APPROVALS_API_PATH}${path}`, call.base);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${call.key}` };
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (error) {
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, message: `the gateway at ${call.base.origin} is unreachable: ${reason}` };
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported by status below
  }
  if (response.ok) return { ok: true, body };
  if (response.status === 401) {
    return {
      ok: false,
      message: `the gateway refused the credential in ${call.keyEnv} (HTTP 401); check the key`,
    };
  }
  // The approvals API says {error: "…"}; a refusal before it (the credential) is JSON-RPC.
  const said = (body as { error?: unknown } | null)?.error;
  const saidMessage = (said as { message?: unknown } | null)?.message;
  const detail =
    typeof said === 'string' ? said : typeof saidMessage === 'string' ? saidMessage : text.slice(0, 200);
  const what = response.status === 503 ? 'cannot answer right now' : 'refused';
  return { ok: false, message: `the gateway ${what} (HTTP ${response.status}): ${detail}` };
}

function report(answer: Answer, print: (body: unknown) => string): number {
  if (!answer.ok) {
    process.stderr.write(`gatehouse approvals: ${answer.message}\n`);
    return 1;
  }
  process.stdout.write(`${print(answer.body)}\n`);
  return 0;
}

function parse(argv: string[], env: NodeJS.ProcessEnv) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'key-env': { type: 'string', default: 'GATEHOUSE_API_KEY' },
      status: { type: 'string' },
      all: { type: 'boolean' },
      by: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
      // Accepted and unused: the gateway at --url has its own configuration.
      config: { type: 'string', short: 'c' },
    },
  });
  if (values.by !== undefined) {
    throw new CliUsageError(
      '--by cannot be used with --url: the gateway records the owner of the credential as the approver',
    );
  }
  let base: URL;
  try {
    base = new URL(values.url ?? '');
  } catch {
    throw new CliUsageError(`--url is not a URL: ${values.url}`);
  }
  const keyEnv = values['key-env'];
  const key = env[keyEnv] || undefined;
  if (key === undefined) {
    throw new CliUsageError(
      `the gateway needs an approver's credential, and ${keyEnv} is empty: set it to your API key`,
    );
  }
  return { positionals, values, call: { base, key, keyEnv } };
}

export async function remoteApprovalsCommand(argv: string[], env = process.env): Promise<number> {
  const { positionals, values, call } = parse(argv, env);
  const [action, id] = positionals;
  const json = (body: unknown) => JSON.stringify(body, null, 2);
  switch (action) {
    case 'list': {
      const status = values.all ? undefined : (values.status ?? 'pending');
      if (status !== undefined && !APPROVAL_STATUSES.includes(status)) {
        throw new CliUsageError(`--status must be one of ${APPROVAL_STATUSES.join(', ')}`);
      }
      const answer = await request(call, status === undefined ? '' : `?status=${status}`);
      return report(answer, (body) => {
        const approvals = (body as { approvals: ApprovalRequest[] }).approvals;
        if (values.json) return json(approvals);
        return approvals.length === 0
          ? `no ${status ?? ''} approval requests`
          : approvals.map(approvalLine).join('\n');
      });
    }
    case 'show':
      if (!id) throw new CliUsageError('approvals show needs an id');
      return report(await request(call, `/${encodeURIComponent(id)}`), (body) =>
        values.json ? json(body) : approvalDetails(body as ApprovalRequest),
      );
    case 'approve':
    case 'deny': {
      if (!id) throw new CliUsageError(`approvals ${action} needs an id`);
      const body = values.note === undefined ? '' : JSON.stringify({ note: values.note });
      const answer = await request(call, `/${encodeURIComponent(id)}/${action}`, { method: 'POST', body });
      return report(
        answer,
        (decided) =>
          `${action === 'approve' ? 'approved' : 'denied'}: ${approvalLine(decided as ApprovalRequest)}`,
      );
    }
    default:
      throw new CliUsageError('approvals needs list, show, approve or deny');
  }
}
