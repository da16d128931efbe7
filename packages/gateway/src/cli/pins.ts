/**
 * `gatehouse pins list|diff|approve` — tool-definition pins in the embedded database, or in the
 * shared PostgreSQL with `storage.postgres` (the CLI opens its own pool and closes it at exit). An
 * approval is written to the store; every running gateway picks it up at its next poll (within 2 s),
 * serves the new definition, tells its clients and writes the approval to the audit log (pin events are audited by the
 * gateway only, from the store's outbox — the CLI does not append them itself). As with queued
 * calls, only a configured approver may approve a change from the host (`--by NAME`, by default
 * the OS user); the OS user is recorded with it, and a refused name is audited by the CLI.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { auditStore } from '../access.ts';
import { refusedDecisionEvent } from '../approvals/approval-decisions.ts';
import { knownApprover } from '../approvals/known-approvers.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { createRedactor } from '../audit/redact.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayModel } from '../config/model.ts';
import { renderDiff } from '../pins/diff.ts';
import { DEFAULT_PIN_POLL_MS, PIN_EFFECT_SECONDS } from '../pins/pinning.ts';
import type { PendingChange, PinInfo, PinStore } from '../pins/store.ts';
import { withCliStores } from './stores.ts';
import { CliUsageError } from './usage.ts';

function short(hash: string): string {
  return hash.slice(0, 12);
}

/** `<upstream>/<tool>`: upstream names have no "/", tool names may. */
function parseRef(ref: string | undefined, action: string): { upstream: string; tool: string } {
  const slash = ref?.indexOf('/') ?? -1;
  if (ref === undefined || slash <= 0 || slash === ref.length - 1) {
    throw new CliUsageError(`pins ${action} needs <upstream>/<tool> (the upstream's own tool name)`);
  }
  return { upstream: ref.slice(0, slash), tool: ref.slice(slash + 1) };
}

function defaultApprover(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function pinLine(pin: PinInfo, change: PendingChange | undefined, pinningOff: boolean): string {
  const status = change ? 'CHANGED' : 'ok';
  const origin = pin.approvedBy === null ? 'first use' : `approved by ${pin.approvedBy}`;
  const parts = [
    `${pin.upstream}/${pin.tool}`,
    status,
    `pinned ${short(pin.hash)} ${pin.pinnedAt} (${origin})`,
  ];
  if (change) {
    parts.push(`pending ${short(change.hash)} since ${change.firstSeen} (${change.fields.join(', ')})`);
  }
  if (pinningOff) parts.push('(pinning off for this upstream)');
  return parts.join('  ');
}

async function list(model: GatewayModel, store: PinStore, json: boolean): Promise<number> {
  const pins = await store.pins();
  const pending = await store.pending();
  if (json) {
    process.stdout.write(`${JSON.stringify({ pins, pending }, null, 2)}\n`);
    return 0;
  }
  const changes = new Map(pending.map((c) => [`${c.upstream}/${c.tool}`, c]));
  const off = new Set(model.upstreams.filter((u) => !u.pinning.enabled).map((u) => u.name));
  for (const pin of pins) {
    process.stdout.write(
      `${pinLine(pin, changes.get(`${pin.upstream}/${pin.tool}`), off.has(pin.upstream))}\n`,
    );
  }
  process.stdout.write(
    `${pins.length} pinned tool(s), ${pending.length} pending change(s)${pending.length > 0 ? ' — review with `gatehouse pins diff <upstream>/<tool>`' : ''}\n`,
  );
  return 0;
}

async function diff(store: PinStore, ref: string | undefined, json: boolean): Promise<number> {
  const { upstream, tool } = parseRef(ref, 'diff');
  const pin = await store.pin(upstream, tool);
  if (pin === undefined) {
    process.stderr.write(`gatehouse: no pinned tool ${upstream}/${tool} (see pins list)\n`);
    return 1;
  }
  const change = await store.pendingChange(upstream, tool);
  if (json) {
    process.stdout.write(`${JSON.stringify({ pin, pending: change ?? null }, null, 2)}\n`);
    return 0;
  }
  if (change === undefined) {
    process.stdout.write(`${upstream}/${tool}: no pending change (pinned ${short(pin.hash)})\n`);
    return 0;
  }
  const origin = pin.approvedBy === null ? 'first use' : `approved by ${pin.approvedBy}`;
  process.stdout.write(
    renderDiff(
      `${upstream}/${tool}`,
      { label: `pinned ${short(pin.hash)} (${pin.pinnedAt}, ${origin})`, definition: pin.definition },
      {
        label: `pending ${short(change.hash)} (first seen ${change.firstSeen})`,
        definition: change.definition,
      },
    ),
  );
  return 0;
}

/** Why `name` may not approve pin changes from the host (audited), or null when it may. */
async function refusedApprover(model: GatewayModel, name: string, osUser: string, what: string) {
  const keys = await withCliStores(model, (stores) => stores.keys().list());
  const known = knownApprover(name, model, keys);
  if (known.ok) return null;
  if (model.audit.enabled) {
    const audit = await AuditLog.open({
      store: auditStore(model),
      redactor: createRedactor(model.audit.redact),
    });
    try {
      const nobody: Principal = {
        id: `cli:${name}`,
        user: name,
        org: undefined,
        roles: [],
        via: 'cli',
        scopes: [],
      };
      const event = refusedDecisionEvent(nobody, 'pins/approve', undefined, known.message, 'cli', osUser);
      await audit.record({ ...event, requestId: 'pins/approve', target: what });
    } finally {
      await audit.close();
    }
  }
  return known.message;
}

async function approve(
  store: PinStore,
  ref: string | undefined,
  options: { all: boolean; by: string; osUser: string; hash: string | undefined },
): Promise<number> {
  const targets = options.all ? await store.pending() : [parseRef(ref, 'approve')];
  if (options.all && targets.length === 0) {
    process.stdout.write('no pending changes to approve\n');
    return 0;
  }
  let failed = 0;
  for (const { upstream, tool } of targets) {
    const pin = await store.approve(upstream, tool, options.by, {
      via: 'cli',
      osUser: options.osUser,
      ...(options.hash === undefined ? {} : { hash: options.hash }),
    });
    if (pin === undefined) {
      const why = options.hash === undefined ? '' : ` with hash ${options.hash}`;
      process.stderr.write(`gatehouse: no pending change${why} for ${upstream}/${tool}\n`);
      failed++;
      continue;
    }
    process.stdout.write(`approved ${upstream}/${tool} (pinned ${short(pin.hash)}) by ${options.by}\n`);
  }
  if (failed < targets.length) {
    process.stderr.write(
      `Running gateways serve the approved definitions within ${PIN_EFFECT_SECONDS} s (each looks for changes every ${DEFAULT_PIN_POLL_MS / 1000} s).\n`,
    );
  }
  return failed > 0 ? 1 : 0;
}

/**
 * Runs `work` on this configuration's pin store. With storage.postgres the CLI opens its own pool
 * on the shared database, closed at exit; a store it cannot reach is one clear error.
 */
async function withPinStore(
  model: GatewayModel,
  work: (store: PinStore) => Promise<number>,
): Promise<number> {
  return withCliStores(model, async (stores) => {
    const store = stores.pins();
    try {
      return await work(store);
    } catch (error) {
      if (error instanceof CliUsageError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`tool pins cannot be reached in ${store.where}: ${reason}`, { cause: error });
    }
  });
}

type PinsAction = 'list' | 'diff' | 'approve';

interface PinsFlags {
  all?: boolean;
  by?: string;
  hash?: string;
  json?: boolean;
}

/** The action, after the checks every action shares (usage mistakes, before anything is opened). */
function checkedAction(positionals: string[], values: PinsFlags): PinsAction {
  const [action, ref, extra] = positionals;
  if (extra !== undefined) throw new CliUsageError(`unexpected argument: ${extra}`);
  if (action !== 'list' && action !== 'diff' && action !== 'approve') {
    throw new CliUsageError('pins needs one of: list, diff, approve');
  }
  if (action === 'list' && ref !== undefined) throw new CliUsageError(`unexpected argument: ${ref}`);
  if (values.by !== undefined && values.by.trim() === '') throw new CliUsageError('--by needs a name');
  if (values.hash !== undefined && !/^[0-9a-f]{8,64}$/.test(values.hash)) {
    throw new CliUsageError(
      '--hash takes the pending hash (at least its first 8 hex digits, as pins list shows)',
    );
  }
  // A malformed approval is a usage mistake before it is anyone's approval.
  if (action === 'approve' && values.all === true && ref !== undefined)
    throw new CliUsageError('pins approve takes <upstream>/<tool> or --all, not both');
  if (action === 'approve' && values.all !== true) parseRef(ref, 'approve');
  return action;
}

export async function pinsCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      by: { type: 'string' },
      hash: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const action = checkedAction(positionals, values);
  const ref = positionals[1];
  const osUser = defaultApprover();
  const by = values.by ?? osUser;
  if (action === 'approve') {
    const refused = await refusedApprover(model, by, osUser, values.all === true ? '--all' : (ref ?? ''));
    if (refused !== null) {
      process.stderr.write(`gatehouse pins: ${refused}; name a configured approver with --by\n`);
      return 1;
    }
  }
  return withPinStore(model, (store) => {
    if (action === 'list') return list(model, store, values.json === true);
    if (action === 'diff') return diff(store, ref, values.json === true);
    return approve(store, ref, { all: values.all === true, by, osUser, hash: values.hash });
  });
}
