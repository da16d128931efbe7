/**
 * `gatehouse approvals list|show|approve|deny` — the approval queue in the embedded database,
 * for whoever operates the gateway's host. Decisions are audited like those made over HTTP.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { auditStore } from '../access.ts';
import { decideApproval, type Verdict } from '../approvals/approval-decisions.ts';
import { type ApprovalRequest, type ApprovalStatus, ApprovalStore } from '../approvals/approval-store.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { createRedactor } from '../audit/redact.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayModel } from '../config/model.ts';
import { CliUsageError } from './usage.ts';

const STATUSES: readonly string[] = ['pending', 'approved', 'denied', 'used', 'expired'];

function line(r: ApprovalRequest): string {
  const decided = r.decidedBy === null ? '' : ` by ${r.decidedBy}${r.note ? ` (${r.note})` : ''}`;
  return `${r.id} ${r.status}${decided} ${r.principal.user} ${r.method} ${r.target} upstream=${r.upstream ?? '-'} rule=${r.rule ?? '-'} created=${r.createdAt} expires=${r.expiresAt}`;
}

function details(r: ApprovalRequest): string {
  return [
    line(r),
    `  requested by: ${r.principal.user} (${r.principal.id}; roles: ${r.principal.roles.join(', ') || 'none'})`,
    `  arguments:    ${JSON.stringify(r.arguments, null, 2).replaceAll('\n', '\n                ')}`,
  ].join('\n');
}

async function decide(
  model: GatewayModel,
  store: ApprovalStore,
  verdict: Verdict,
  id: string,
  by: string,
  note: string | null,
) {
  const audit = model.audit.enabled
    ? await AuditLog.open({ store: auditStore(model), redactor: createRedactor(model.audit.redact) })
    : null;
  try {
    const approver: Principal = {
      id: `cli:${by}`,
      user: by,
      org: undefined,
      roles: [],
      via: 'cli',
      scopes: [],
    };
    const result = await decideApproval(store, audit, { id, verdict, by: approver, note, transport: 'cli' });
    if (result.ok) {
      process.stdout.write(`${verdict === 'approve' ? 'approved' : 'denied'}: ${line(result.request)}\n`);
      return 0;
    }
    process.stderr.write(
      result.reason === 'not-found'
        ? `gatehouse: no approval request ${id}\n`
        : `gatehouse: approval request ${id} is ${result.request?.status ?? 'not pending'}; only pending requests can be decided\n`,
    );
    return 1;
  } finally {
    await audit?.close();
  }
}

function listRequests(
  store: ApprovalStore,
  values: { status?: string; all?: boolean; json?: boolean },
): number {
  const status = values.all ? undefined : (values.status ?? 'pending');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new CliUsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const requests = store.list(status === undefined ? {} : { status: status as ApprovalStatus });
  if (values.json) process.stdout.write(`${JSON.stringify(requests, null, 2)}\n`);
  else if (requests.length === 0) process.stderr.write(`no ${status ?? ''} approval requests\n`);
  else for (const r of requests) process.stdout.write(`${line(r)}\n`);
  return 0;
}

function showRequest(store: ApprovalStore, id: string | undefined, json: boolean): number {
  if (!id) throw new CliUsageError('approvals show needs an id');
  const request = store.get(id);
  if (request === undefined) {
    process.stderr.write(`gatehouse: no approval request ${id}\n`);
    return 1;
  }
  process.stdout.write(json ? `${JSON.stringify(request, null, 2)}\n` : `${details(request)}\n`);
  return 0;
}

export async function approvalsCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      all: { type: 'boolean' },
      by: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [action, id] = positionals;
  const store = new ApprovalStore(model.storage.path, { ttlSeconds: model.approvals.ttlSeconds });
  try {
    switch (action) {
      case 'list':
        return listRequests(store, values);
      case 'show':
        return showRequest(store, id, values.json === true);
      case 'approve':
      case 'deny':
        if (!id) throw new CliUsageError(`approvals ${action} needs an id`);
        return await decide(model, store, action, id, values.by ?? userInfo().username, values.note ?? null);
      default:
        throw new CliUsageError('approvals needs list, show, approve or deny');
    }
  } finally {
    store.close();
  }
}
