/**
 * The runtime model of the governed-access sections (see schema-access.ts): auth, policy,
 * approvals, audit, storage, and each upstream's injection and identity forwarding.
 */

export type PrincipalField = 'user' | 'org' | 'principal' | 'roles' | 'via';

export interface OidcModel {
  issuer: string;
  /** The audience tokens must carry: the gateway's resource URL unless configured. */
  audience: string;
  jwksUri: string | null;
  requiredScopes: string[];
  scopesSupported: string[];
  clockToleranceSec: number;
  claims: { user: string; org: string | null; roles: string | null };
  roleMap: Record<string, string[]> | null;
  /** The console's sign-in client, when the console signs in through this issuer. */
  console: OidcConsoleModel | null;
}

/** Where the issuer sends the browser back to after a console sign-in (under the console's path). */
export const CONSOLE_CALLBACK_PATH = '/console/oidc/callback';

export interface OidcConsoleModel {
  clientId: string;
  /** The environment variable holding the client secret; null for a public client. */
  clientSecretEnv: string | null;
  /** Always starts with `openid`. */
  scopes: string[];
  /** `<publicUrl or resource URL origin>/console/oidc/callback`. */
  redirectUri: string;
}

export interface LocalPrincipalModel {
  user: string;
  org: string | null;
  roles: string[];
}

/** A key declared in the config: its SHA-256 (hex) and the principal it stands for. */
export interface StaticKeyModel {
  sha256: string;
  user: string;
  org: string | null;
  roles: string[];
}

export interface AuthModel {
  apiKeys: boolean;
  staticKeys: StaticKeyModel[];
  oidc: OidcModel | null;
  stdio: LocalPrincipalModel | null;
  anonymous: { roles: string[] } | null;
}

export type ConditionOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'matches';

/** One parsed `when` condition: `path op value`, e.g. `amount <= 1000`. */
export interface ConditionModel {
  path: string[];
  op: ConditionOp;
  value: unknown;
  /** The text the user wrote, for explanations. */
  source: string;
}

export interface RuleModel {
  /** Where the rule is written: `group:finance/allow[0]`. */
  id: string;
  effect: 'allow' | 'deny';
  tools: string[] | null;
  resources: string[] | null;
  prompts: string[] | null;
  when: ConditionModel[];
  /** How calls this rule allows are approved; null when they need no approval. */
  approval: ApprovalRuleModel | null;
}

/** auto: in-band when the calling client can answer, else the queue. */
export type ApprovalMode = 'auto' | 'in-band' | 'queue';

/** A rule's approval, with what it left out filled from the `approvals` section. */
export interface ApprovalRuleModel {
  mode: ApprovalMode;
  /** How long a queued call of this rule is held open for a decision. */
  waitSeconds: number;
}

export interface ApprovalsModel {
  mode: ApprovalMode;
  destructiveTools: boolean;
  ttlSeconds: number;
  waitSeconds: number;
  approvers: string[];
  allowSelfApproval: boolean;
}

export interface PolicyModel {
  /** Each role's rules, flattened from its groups in the order written. */
  roles: Record<string, { groups: string[]; rules: RuleModel[] }>;
}

export interface AuditModel {
  enabled: boolean;
  postgres: { url: string; table: string } | null;
  redact: { fields: string[]; patterns: { name: string; regex: string }[] };
}

export interface StorageModel {
  /** Absolute path of the embedded SQLite database. */
  path: string;
  /** Shared PostgreSQL for replicas; null: everything in the embedded database (one process). */
  postgres: { url: string; poolSize: number } | null;
}

export interface InjectModel {
  tools: string[];
  arguments: Record<string, PrincipalField>;
}

export interface ForwardIdentityModel {
  headers: Record<string, PrincipalField>;
  meta: boolean;
}
