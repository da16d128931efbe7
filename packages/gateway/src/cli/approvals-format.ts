/** How `gatehouse approvals` prints a request, the same whether it read the database or the API. */
import type { ApprovalRequest } from '../approvals/approval-store.ts';

export function approvalLine(r: ApprovalRequest): string {
  const decided = r.decidedBy === null ? '' : ` by ${r.decidedBy}${r.note ? ` (${r.note})` : ''}`;
  return `${r.id} ${r.status}${decided} ${r.principal.user} ${r.method} ${r.target} upstream=${r.upstream ?? '-'} rule=${r.rule ?? '-'} created=${r.createdAt} expires=${r.expiresAt}`;
}

export function approvalDetails(r: ApprovalRequest): string {
  return [
    approvalLine(r),
    `  requested by: ${r.principal.user} (${r.principal.id}; roles: ${r.principal.roles.join(', ') || 'none'})`,
    `  bound to:     arguments sha256 ${r.argumentsHash ?? '-'}, policy version ${r.policyVersion ?? '-'}, until ${r.expiresAt}`,
    `  arguments:    ${JSON.stringify(r.arguments, null, 2).replaceAll('\n', '\n                ')}`,
  ].join('\n');
}

export const APPROVAL_STATUSES: readonly string[] = ['pending', 'approved', 'denied', 'used', 'expired'];
