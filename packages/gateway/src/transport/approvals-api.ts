/**
 * The approval queue over HTTP, for the console and other tools — a thin adapter: it
 * authenticates like the MCP endpoint, asks the pure approver policy, and maps the queue's
 * answers to status codes.
 *
 *   GET  /api/approvals[?status=pending|approved|denied|used|expired]   list (newest first)
 *   GET  /api/approvals/{id}                                             one request
 *   POST /api/approvals/{id}/approve   body {"note": "…"} (optional)     200 | 403 | 404 | 409
 *   POST /api/approvals/{id}/deny      body {"note": "…"} (optional)
 */
import {
  type DecisionInput,
  decideApproval,
  mayDecide,
  mayReview,
  refusedDecisionEvent,
  type Verdict,
} from '../approvals/approval-decisions.ts';
import type { ApprovalRequest, ApprovalStatus, ApprovalStore } from '../approvals/approval-store.ts';
import type { AuditEvent } from '../audit/event.ts';
import type { Principal } from '../auth/principal.ts';
import type { ServerModel } from '../config/model.ts';
import type { ApprovalsModel } from '../config/model-access.ts';
import { StoreUnavailable } from '../storage/unavailable.ts';
import type { HttpAuth } from './http-auth.ts';
import { checkHostAndOrigin } from './hygiene.ts';
import { plainJson } from './responses.ts';

export const APPROVALS_API_PATH = '/api/approvals';

const STATUSES = new Set<string>(['pending', 'approved', 'denied', 'used', 'expired']);
const MAX_NOTE = 2000;

export interface ApprovalsApiDeps {
  auth: HttpAuth;
  store: ApprovalStore;
  audit: { record(event: AuditEvent): Promise<void> } | null;
  /** The approval settings in force (a reload may change who the approvers are). */
  config: () => ApprovalsModel;
  server: ServerModel;
}

function problem(status: number, message: string): Response {
  return plainJson(status, { error: message });
}

async function readNote(request: Request): Promise<{ ok: true; note: string | null } | { ok: false }> {
  const text = await request.text();
  if (text.trim() === '') return { ok: true, note: null };
  try {
    const body = JSON.parse(text) as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false };
    const note = (body as { note?: unknown }).note;
    if (note === undefined || note === null) return { ok: true, note: null };
    if (typeof note !== 'string' || note.length > MAX_NOTE) return { ok: false };
    return { ok: true, note };
  } catch {
    return { ok: false };
  }
}

async function list(url: URL, deps: ApprovalsApiDeps): Promise<Response> {
  const status = url.searchParams.get('status');
  if (status !== null && !STATUSES.has(status)) return problem(400, `unknown status "${status}"`);
  const approvals = await deps.store.list(status === null ? {} : { status: status as ApprovalStatus });
  return plainJson(200, { approvals });
}

async function decide(
  request: Request,
  approver: Principal,
  current: ApprovalRequest,
  verdict: Verdict,
  deps: ApprovalsApiDeps,
): Promise<Response> {
  const allowed = mayDecide(approver, current, deps.config());
  if (!allowed.ok) {
    await deps.audit?.record(
      refusedDecisionEvent(approver, `approvals/${verdict}`, current, allowed.message, 'http'),
    );
    return problem(403, allowed.message);
  }
  const body = await readNote(request);
  if (!body.ok)
    return problem(400, 'the body must be empty or JSON {"note": "<text up to 2000 characters>"}');
  const input: DecisionInput = { id: current.id, verdict, by: approver, note: body.note, transport: 'http' };
  const result = await decideApproval(deps.store, deps.audit, input);
  if (result.ok) return plainJson(200, result.request);
  if (result.reason === 'not-found') return problem(404, `no approval request ${current.id}`);
  return problem(409, `approval request ${current.id} is ${result.request?.status ?? 'not pending'}`);
}

async function route(request: Request, approver: Principal, deps: ApprovalsApiDeps): Promise<Response> {
  const url = new URL(request.url);
  const [id, action, ...extra] = url.pathname
    .slice(APPROVALS_API_PATH.length)
    .split('/')
    .filter((part) => part !== '');
  const method = action === undefined ? 'GET' : 'POST';
  if (extra.length > 0 || (action !== undefined && action !== 'approve' && action !== 'deny')) {
    return problem(404, 'not found');
  }
  if (request.method !== method) return problem(405, `method ${request.method} not allowed`);
  if (id === undefined) return list(url, deps);
  const current = await deps.store.get(id);
  if (current === undefined) return problem(404, `no approval request ${id}`);
  return action === undefined ? plainJson(200, current) : decide(request, approver, current, action, deps);
}

export function createApprovalsApi(deps: ApprovalsApiDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const refused = checkHostAndOrigin(request.headers, deps.server);
    if (refused) return refused;
    const identity = await deps.auth.authenticate(request.headers.get('authorization'));
    if (!identity.ok) return identity.response;
    const config = deps.config();
    if (!mayReview(identity.principal, config)) {
      const message = `the approval queue needs one of the roles [${config.approvers.join(', ')}]`;
      const action = new URL(request.url).pathname.split('/').filter(Boolean)[3];
      const method = action === 'approve' || action === 'deny' ? `approvals/${action}` : 'approvals/list';
      await deps.audit?.record(refusedDecisionEvent(identity.principal, method, undefined, message, 'http'));
      return problem(403, message);
    }
    try {
      return await route(request, identity.principal, deps);
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      const response = problem(
        503,
        'the approval queue cannot be reached right now (the shared database is unavailable); nothing was decided, retry shortly',
      );
      response.headers.set('retry-after', '5');
      return response;
    }
  };
}
