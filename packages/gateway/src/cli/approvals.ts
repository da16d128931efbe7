/**
 * `gatehouse approvals list|show|approve|deny` on the gateway's host, reading the queue where
 * the gateway keeps it (the embedded database, or the shared PostgreSQL of storage.postgres). Deciding this way is for an operator of the host: `--by` (default: the OS
 * user) must name a configured approver — a user the configuration gives one of
 * `approvals.approvers` — and the audit record names both that approver and the OS user who ran
 * the command. Anyone else decides through the gateway with their own credential
 * (`--url`, approvals-remote.ts), which is the way to decide from another machine.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { auditStore } from '../access.ts';
import {
  decideApproval,
  mayDecide,
  refusedDecisionEvent,
  type Verdict,
} from '../approvals/approval-decisions.ts';
import type { ApprovalStatus, ApprovalStore } from '../approvals/approval-store.ts';
import { knownApprover } from '../approvals/known-approvers.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { createRedactor } from '../audit/redact.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayModel } from '../config/model.ts';
import { APPROVAL_STATUSES, approvalDetails, approvalLine } from './approvals-format.ts';
import { type CliStores, withCliStores } from './stores.ts';
import { CliUsageError } from './usage.ts';

interface Decision {
  verdict: Verdict;
  id: string;
  /** The `--by` name, or the OS user. */
  name: string;
  osUser: string;
  note: string | null;
}

/** The approver `name` stands for, or null after refusing (printed and audited). */
async function approverFor(
  model: GatewayModel,
  decision: Decision,
  audit: AuditLog | null,
  stores: CliStores,
) {
  const known = knownApprover(decision.name, model, await stores.keys().list());
  const request = await stores.approvals().get(decision.id);
  const refuse = async (by: Principal, message: string, hint: string) => {
    await audit?.record(
      refusedDecisionEvent(by, `approvals/${decision.verdict}`, request, message, 'cli', decision.osUser),
    );
    process.stderr.write(`gatehouse: ${message}.${hint}\n`);
    return null;
  };
  if (!known.ok) {
    const nobody: Principal = {
      id: `cli:${decision.name}`,
      user: decision.name,
      org: undefined,
      roles: [],
      via: 'cli',
      scopes: [],
    };
    return refuse(
      nobody,
      known.message,
      ` Decide through the gateway with your own key (gatehouse approvals ${decision.verdict} ${decision.id} --url http://<gateway>/mcp, key in $GATEHOUSE_API_KEY), or name a configured approver with --by.`,
    );
  }
  if (request !== undefined) {
    const allowed = mayDecide(known.principal, request, model.approvals);
    if (!allowed.ok) return refuse(known.principal, allowed.message, '');
  }
  return known.principal;
}

async function decide(model: GatewayModel, stores: CliStores, decision: Decision): Promise<number> {
  const audit = model.audit.enabled
    ? await AuditLog.open({ store: auditStore(model), redactor: createRedactor(model.audit.redact) })
    : null;
  try {
    const approver = await approverFor(model, decision, audit, stores);
    if (approver === null) return 1;
    const { id, verdict, note, osUser } = decision;
    const result = await decideApproval(stores.approvals(), audit, {
      id,
      verdict,
      by: approver,
      note,
      transport: 'cli',
      osUser,
    });
    if (result.ok) {
      process.stdout.write(
        `${verdict === 'approve' ? 'approved' : 'denied'}: ${approvalLine(result.request)}\n`,
      );
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

async function listRequests(
  store: ApprovalStore,
  values: { status?: string; all?: boolean; json?: boolean },
): Promise<number> {
  const status = values.all ? undefined : (values.status ?? 'pending');
  if (status !== undefined && !APPROVAL_STATUSES.includes(status)) {
    throw new CliUsageError(`--status must be one of ${APPROVAL_STATUSES.join(', ')}`);
  }
  const requests = await store.list(status === undefined ? {} : { status: status as ApprovalStatus });
  if (values.json) process.stdout.write(`${JSON.stringify(requests, null, 2)}\n`);
  else if (requests.length === 0) process.stderr.write(`no ${status ?? ''} approval requests\n`);
  else for (const r of requests) process.stdout.write(`${approvalLine(r)}\n`);
  return 0;
}

async function showRequest(store: ApprovalStore, id: string | undefined, json: boolean): Promise<number> {
  if (!id) throw new CliUsageError('approvals show needs an id');
  const request = await store.get(id);
  if (request === undefined) {
    process.stderr.write(`gatehouse: no approval request ${id}\n`);
    return 1;
  }
  process.stdout.write(json ? `${JSON.stringify(request, null, 2)}\n` : `${approvalDetails(request)}\n`);
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
  return withCliStores(model, async (stores) => {
    switch (action) {
      case 'list':
        return await listRequests(stores.approvals(), values);
      case 'show':
        return await showRequest(stores.approvals(), id, values.json === true);
      case 'approve':
      case 'deny': {
        if (!id) throw new CliUsageError(`approvals ${action} needs an id`);
        const osUser = userInfo().username;
        const name = values.by ?? osUser;
        return await decide(model, stores, { verdict: action, id, name, osUser, note: values.note ?? null });
      }
      default:
        throw new CliUsageError('approvals needs list, show, approve or deny');
    }
  });
}
