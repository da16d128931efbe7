/**
 * What the tool-search tests share: a policy with roles in and out of search mode, and a reader
 * for search_tools' answer.
 */
import assert from 'node:assert/strict';
import { textOf } from './harness.ts';

/**
 * finder: search mode, may use alpha_* but not alpha_pid, and beta_echo (with an in-band approval
 * for the message "big"); seer: search mode, may use every alpha_* tool; lister: every alpha_*
 * tool, not in search mode. alpha_quota may be called once per principal.
 */
export const SEARCH_CONFIG = `auth:
  apiKeys: true
approvals:
  mode: auto
policy:
  groups:
    work:
      allow:
        - tools: ["alpha_*"]
        - tools: [beta_echo]
          when: ['message != "big"']
        - tools: [beta_echo]
          when: ['message == "big"']
          approval: in-band
      deny:
        - tools: [alpha_pid]
    everything-alpha:
      allow: [{ tools: ["alpha_*"] }]
  roles:
    finder: { groups: [work] }
    seer: { groups: [everything-alpha] }
    lister: { groups: [everything-alpha] }
rateLimits:
  rules:
    - name: quota-once
      per: [principal]
      tools: [alpha_quota]
      limit: 1
      windowSec: 600
toolSearch:
  limit: 3
  roles:
    finder: { core: [alpha_echo, beta_*] }
    seer: { core: [] }
`;

export type SearchResult = { tools: { name: string; description?: string; inputSchema?: unknown }[] };

/** search_tools' answer, checked: its text and its structured content agree. */
export function found(result: unknown): SearchResult {
  const structured = (result as { structuredContent?: SearchResult }).structuredContent;
  assert.ok(structured, `expected a search result, got ${JSON.stringify(result).slice(0, 300)}`);
  assert.deepEqual(
    JSON.parse(textOf(result as { content?: unknown })),
    structured,
    'text and structure agree',
  );
  return structured;
}
