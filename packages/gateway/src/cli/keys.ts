/** `gatehouse keys create|list|revoke` — API keys in the embedded database. */
import { parseArgs } from 'node:util';
import { ApiKeyStore } from '../auth/api-keys.ts';
import type { GatewayModel } from '../config/model.ts';
import { CliUsageError } from './usage.ts';

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function keysCommand(model: GatewayModel, argv: string[]): number {
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
  const store = new ApiKeyStore(model.storage.path);
  try {
    switch (action) {
      case 'create': {
        if (!values.user) throw new CliUsageError('keys create needs --user');
        const roles = splitList(values.roles);
        const unknown = roles.filter((r) => model.policy.roles[r] === undefined);
        if (unknown.length > 0) {
          throw new CliUsageError(
            `unknown role(s) ${unknown.join(', ')}; the policy defines: ${Object.keys(model.policy.roles).join(', ')}`,
          );
        }
        const { key, info } = store.create({
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
      case 'list': {
        const keys = store.list({ includeRevoked: values.all === true });
        if (values.json) process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        else {
          for (const k of keys) {
            const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
            process.stdout.write(
              `${k.id}  ${k.user}${k.org ? `@${k.org}` : ''}  roles=${k.roles.join(',') || '-'}  ${state}  created ${k.createdAt}\n`,
            );
          }
        }
        return 0;
      }
      case 'revoke': {
        if (!id) throw new CliUsageError('keys revoke needs a key id (see keys list)');
        if (!store.revoke(id)) {
          process.stderr.write(`gatehouse: no active key ${id}\n`);
          return 1;
        }
        process.stdout.write(`revoked ${id}\n`);
        return 0;
      }
      default:
        throw new CliUsageError('keys needs one of: create, list, revoke');
    }
  } finally {
    store.close();
  }
}
