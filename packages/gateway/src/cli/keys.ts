/** `gatehouse keys create|list|revoke` — API keys where the gateway keeps them (storage.path, or storage.postgres). */
import { parseArgs } from 'node:util';
import type { ApiKeyStore } from '../auth/api-keys.ts';
import type { GatewayModel } from '../config/model.ts';
import { withCliStores } from './stores.ts';
import { CliUsageError } from './usage.ts';

interface KeyOptions {
  user?: string | undefined;
  org?: string | undefined;
  roles?: string | undefined;
  description?: string | undefined;
  all?: boolean | undefined;
  json?: boolean | undefined;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function createKey(model: GatewayModel, store: ApiKeyStore, values: KeyOptions): Promise<number> {
  if (!values.user) throw new CliUsageError('keys create needs --user');
  const roles = splitList(values.roles);
  const unknown = roles.filter((r) => model.policy.roles[r] === undefined);
  if (unknown.length > 0) {
    throw new CliUsageError(
      `unknown role(s) ${unknown.join(', ')}; the policy defines: ${Object.keys(model.policy.roles).join(', ')}`,
    );
  }
  const { key, info } = await store.create({
    user: values.user,
    org: values.org ?? null,
    roles,
    description: values.description ?? null,
  });
  if (values.json) process.stdout.write(`${JSON.stringify({ key, ...info })}\n`);
  else {
    process.stdout.write(`${key}\n`);
    process.stderr.write(
      `Created key ${info.id} for ${info.user} (roles: ${info.roles.join(', ') || 'none'}). Store it now: it is not shown again.\n`,
    );
  }
  return 0;
}

async function listKeys(store: ApiKeyStore, values: KeyOptions): Promise<number> {
  const keys = await store.list({ includeRevoked: values.all === true });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
    return 0;
  }
  for (const k of keys) {
    const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
    process.stdout.write(
      `${k.id}  ${k.user}${k.org ? `@${k.org}` : ''}  roles=${k.roles.join(',') || '-'}  ${state}  created ${k.createdAt}\n`,
    );
  }
  return 0;
}

async function revokeKey(store: ApiKeyStore, id: string | undefined): Promise<number> {
  if (!id) throw new CliUsageError('keys revoke needs a key id (see keys list)');
  if (!(await store.revoke(id))) {
    process.stderr.write(`gatehouse: no active key ${id}\n`);
    return 1;
  }
  process.stdout.write(`revoked ${id}\n`);
  return 0;
}

export async function keysCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      org: { type: 'string' },
      roles: { type: 'string' },
      description: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const [action, id] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    throw new CliUsageError('keys needs one of: create, list, revoke');
  return withCliStores(model, (stores) => {
    const store = stores.keys();
    if (action === 'create') return createKey(model, store, values);
    if (action === 'list') return listKeys(store, values);
    return revokeKey(store, id);
  });
}
