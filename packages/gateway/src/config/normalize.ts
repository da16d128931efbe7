/**
 * normalize(): the pure step from what users wrote (already schema-checked) to the runtime model,
 * one normalize<Section>() per section. No I/O: paths are resolved against `baseDir`, secrets
 * stay references until connect time.
 */
import type { GatewayModel } from './model.ts';
import {
  checkRedactPatterns,
  normalizeApprovals,
  normalizeAudit,
  normalizeAuth,
  normalizePolicy,
  normalizeStorage,
} from './normalize-access.ts';
import { normalizeRateLimits } from './normalize-limits.ts';
import { normalizeLogging, normalizeObservability } from './normalize-observability.ts';
import { normalizePinning } from './normalize-pins.ts';
import { normalizeToolSearch } from './normalize-search.ts';
import { normalizeServer } from './normalize-server.ts';
import { normalizeUpstreams } from './normalize-upstreams.ts';
import type { GatewayConfigParsed } from './schema.ts';

export interface NormalizeIssue {
  /** What kind of mistake: two things claim one name, a name refers to nothing, or a bad value. */
  code: 'CONFIG_COLLISION' | 'CONFIG_REFERENCE' | 'CONFIG_INVALID';
  path: (string | number)[];
  message: string;
  /** For CONFIG_REFERENCE: what the value names. */
  refersTo?: { kind: 'group' | 'upstream' | 'role'; name: string };
}

export type NormalizeResult = { ok: true; model: GatewayModel } | { ok: false; issues: NormalizeIssue[] };

export function normalize(parsed: GatewayConfigParsed, baseDir: string): NormalizeResult {
  const issues: NormalizeIssue[] = [];
  const upstreams = normalizeUpstreams(parsed, baseDir, issues);
  const policy = normalizePolicy(parsed.policy, parsed.approvals, issues);
  const rateLimits = normalizeRateLimits(parsed.rateLimits, upstreams, issues);
  const toolSearch = normalizeToolSearch(parsed.toolSearch, Object.keys(policy.roles), issues);
  checkRedactPatterns(parsed.audit, issues);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    model: {
      server: normalizeServer(parsed.server),
      upstreams,
      auth: normalizeAuth(parsed.auth, parsed.server),
      policy,
      approvals: normalizeApprovals(parsed.approvals),
      rateLimits,
      pinning: normalizePinning(parsed.pinning),
      audit: normalizeAudit(parsed.audit),
      storage: normalizeStorage(parsed.storage, baseDir),
      toolSearch,
      logging: normalizeLogging(parsed.logging),
      observability: normalizeObservability(parsed.observability),
    },
  };
}
