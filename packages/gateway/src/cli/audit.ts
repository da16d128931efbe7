/** `gatehouse audit tail|query|export|verify` — reading the audit log the gateway writes. */
import { parseArgs } from 'node:util';
import { auditStore } from '../access.ts';
import type { AuditRecord } from '../audit/event.ts';
import { exportJsonl } from '../audit/export.ts';
import type { AuditQuery } from '../audit/store.ts';
import { verifyChain } from '../audit/verify.ts';
import type { GatewayModel } from '../config/model.ts';
import { CliUsageError } from './usage.ts';

function line(r: AuditRecord): string {
  const who = r.principal ? `${r.principal.user}[${r.principal.roles.join(',')}]` : '-';
  const rule = r.rule ? ` rule=${r.rule}` : '';
  const code = r.errorCode === null ? '' : ` code=${r.errorCode}`;
  return `#${r.seq} ${r.time} ${who} ${r.transport}/${r.era} ${r.method} ${r.target ?? '-'} ${r.status} ${r.decision}${rule}${code} ${r.latencyMs}ms`;
}

export async function auditCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      n: { type: 'string', short: 'n' },
      limit: { type: 'string' },
      principal: { type: 'string' },
      method: { type: 'string' },
      target: { type: 'string' },
      status: { type: 'string' },
      decision: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      jsonl: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const store = auditStore(model);
  await store.init();
  try {
    switch (positionals[0]) {
      case 'tail':
      case 'query': {
        const filter: AuditQuery = {
          limit: Number(values.n ?? values.limit ?? (positionals[0] === 'tail' ? 20 : 100)),
        };
        for (const key of [
          'principal',
          'method',
          'target',
          'status',
          'decision',
          'since',
          'until',
        ] as const) {
          if (values[key] !== undefined) (filter as Record<string, unknown>)[key] = values[key];
        }
        const records = (await store.query(filter)).reverse();
        for (const r of records) process.stdout.write(`${values.json ? JSON.stringify(r) : line(r)}\n`);
        return 0;
      }
      case 'export': {
        if (!values.jsonl) throw new CliUsageError('audit export writes JSON lines: pass --jsonl');
        await exportJsonl(store, (l) => {
          process.stdout.write(l.endsWith('\n') ? l : `${l}\n`);
        });
        return 0;
      }
      case 'verify': {
        const result = await verifyChain(store);
        if (result.ok) {
          process.stdout.write(
            `audit chain intact: ${result.count} record(s), head #${result.head?.seq ?? 0} ${result.head?.hash ?? ''}\n`,
          );
          return 0;
        }
        const bad = result.firstBad;
        process.stdout.write(`audit chain BROKEN at record #${bad.seq} (${bad.problem}): ${bad.detail}\n`);
        process.stdout.write(`${result.count} record(s) before it verified\n`);
        return 1;
      }
      default:
        throw new CliUsageError('audit needs one of: tail, query, export, verify');
    }
  } finally {
    await store.close();
  }
}
