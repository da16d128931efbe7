/**
 * Tokens per customer answer: what a model reads when it gets the raw CRM, support and billing API
 * responses (the native-connector way) versus the shaped `get_customer_profile` answer through
 * the gateway — and versus the lower-level record tools (get_deal + list_tickets + get_invoices).
 *
 * For N customers chosen deterministically (evenly spaced over the seeded world's company ids):
 *
 *   raw      the bodies of exactly the API responses the customer server's connectors fetch to
 *            build that profile (HubSpot company search and read, deals batch read, owner;
 *            Intercom contact and conversation search; ChargeOver customer, open invoices, last
 *            payment), recorded by running the server's own connector code in this process
 *            against the sandbox. The deal-pipeline labels, fetched once and cached, are not counted.
 *   profile  `customer_get_customer_profile` called through an in-process gateway (modern era)
 *            whose upstream is the customer server as a stdio child process pointed at the same
 *            sandbox; counted as on the wire: `{content, structuredContent}` of the result.
 *   records  customer_get_deal (the profile's current deal) + customer_list_tickets +
 *            customer_get_invoices through the same gateway, counted the same way.
 *
 * Tokens are counted with a real BPE tokenizer (o200k_base, from gpt-tokenizer). Every profile is
 * also checked field by field against the raw responses (bench/lib/customer-agreement.ts); any
 * disagreement is printed and the run exits 1, as it does when the median profile/raw ratio misses
 * the target (≤ 10%).
 *
 *   node bench/customer-tokens.ts [--customers 20] [--seed 20261121] [--today 2026-11-21]
 *   node bench/customer-tokens.ts --smoke      (3 customers, a few seconds)
 *
 * --json FILE also writes the tables, a chart and the target as a BenchResult (bench/lib/results.ts).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox } from '@gatehouse/sandbox';
import type { Client } from '@modelcontextprotocol/client';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { todayOf } from '../packages/customer-server/src/dates.ts';
import { customerProfile } from '../packages/customer-server/src/profile.ts';
import { createConnectors } from '../packages/customer-server/src/server.ts';
import { connectClient, startGateway, stdioUpstreamYaml } from '../packages/gateway/test/helpers/harness.ts';
import { customerWorld } from '../packages/sandbox/src/seed/customers.ts';
import { disagreements, type Exchange } from './lib/customer-agreement.ts';
import { median, positiveInt, spread } from './lib/figures.ts';
import { type BenchResult, commandLine, writeResult } from './lib/results.ts';
import { bar } from './lib/series.ts';

const TOKENIZER = 'o200k_base (gpt-tokenizer)';
const TARGET_RATIO = 0.1;
const TOKEN = 'sandbox-token';
const SERVER_MAIN = fileURLToPath(new URL('../packages/customer-server/src/main.ts', import.meta.url));

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20' },
    seed: { type: 'string', default: '20261121' },
    today: { type: 'string', default: '2026-11-21' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const startedAt = new Date().toISOString();
const started = performance.now();
const count = values.smoke ? 3 : positiveInt(values.customers, 'customers');
const seed = Number(values.seed);
const todayText = values.today;
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, found ${values.seed}`);
if (!/^\d{4}-\d{2}-\d{2}$/.test(todayText)) throw new Error(`--today must be YYYY-MM-DD, found ${todayText}`);
const now = new Date(`${todayText}T12:00:00Z`);
const today = todayOf(todayText);

interface Row {
  name: string;
  raw: { hubspot: number; intercom: number; chargeover: number; total: number; calls: number };
  profile: number;
  records: number;
  mismatches: string[];
}

const tokens = (text: string) => countTokens(text);
/** What the model receives for a tool result: its content and structuredContent, as serialized. */
const wireTokens = (result: Record<string, unknown>) =>
  tokens(JSON.stringify({ content: result.content, structuredContent: result.structuredContent }));

function recorder(baseUrls: Record<string, string>, into: Exchange[]): typeof fetch {
  const systemOf = (url: string): Exchange['system'] | undefined =>
    (['hubspot', 'intercom', 'chargeover'] as const).find((s) => url.startsWith(baseUrls[s] ?? '\0'));
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    const system = systemOf(url.href);
    if (system && response.ok) {
      const text = await response.clone().text();
      const base = new URL(baseUrls[system] ?? '').pathname;
      into.push({
        system,
        method: init?.method ?? 'GET',
        path: url.pathname.slice(base.length),
        query: url.searchParams,
        body: JSON.parse(text),
        text,
      });
    }
    return response;
  };
}

async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as Record<string, unknown>;
  if (result.isError)
    throw new Error(`${name} ${JSON.stringify(args)} failed: ${JSON.stringify(result.content)}`);
  return result;
}

const sandbox = await startSandbox({ port: 0, seed, now, only: ['hubspot', 'intercom', 'chargeover'] });
const env = {
  HUBSPOT_BASE_URL: sandbox.baseUrls.hubspot ?? '',
  HUBSPOT_TOKEN: TOKEN,
  INTERCOM_BASE_URL: sandbox.baseUrls.intercom ?? '',
  INTERCOM_TOKEN: TOKEN,
  CHARGEOVER_BASE_URL: `${sandbox.baseUrls.chargeover ?? ''}/api/v3`,
  CHARGEOVER_PUBLIC_KEY: 'northwind-public',
  CHARGEOVER_PRIVATE_KEY: TOKEN,
  GATEHOUSE_TODAY: todayText,
  LOG_LEVEL: 'warn',
};
const gateway = await startGateway(
  `upstreams:\n${stdioUpstreamYaml('customer', SERVER_MAIN, env, '    forwardIdentity: { meta: true }\n')}`,
);
const client = await connectClient(gateway.url, 'modern');

const exchanges: Exchange[] = [];
const connectors = createConnectors(
  {
    hubspot: { baseUrl: env.HUBSPOT_BASE_URL, token: TOKEN },
    intercom: { baseUrl: env.INTERCOM_BASE_URL, token: TOKEN },
    chargeover: { baseUrl: env.CHARGEOVER_BASE_URL, publicKey: 'northwind-public', privateKey: TOKEN },
    timeoutMs: 10_000,
    today: todayText,
  },
  { fetch: recorder(sandbox.baseUrls, exchanges) },
);
const stages = new Map([...(await connectors.hubspot.dealStages()).values()].map((s) => [s.id, s.label]));
exchanges.length = 0; // the cached pipeline labels are not part of any one customer's answer

const companies = [...customerWorld(seed, now).companies].sort((a, b) => Number(a.id) - Number(b.id));
const step = Math.max(1, Math.floor(companies.length / count));
const sample = Array.from(
  { length: Math.min(count, companies.length) },
  (_, i) => companies[i * step],
).filter((c) => c !== undefined);

const rows: Row[] = [];
try {
  for (const company of sample) {
    exchanges.length = 0;
    await customerProfile(company.name, connectors, today);
    const per = { hubspot: 0, intercom: 0, chargeover: 0 };
    for (const e of exchanges) per[e.system] += tokens(e.text);
    const profile = await callTool(client, 'customer_get_customer_profile', { customer: company.name });
    const shaped = profile.structuredContent as Record<string, { currentDeal?: { id: string } }>;
    const dealId = shaped.crm?.currentDeal?.id;
    const records = await Promise.all([
      dealId
        ? callTool(client, 'customer_get_deal', { dealId })
        : Promise.resolve<Record<string, unknown>>({}),
      callTool(client, 'customer_list_tickets', { company: company.name }),
      callTool(client, 'customer_get_invoices', { company: company.name }),
    ]);
    rows.push({
      name: company.name,
      raw: { ...per, total: per.hubspot + per.intercom + per.chargeover, calls: exchanges.length },
      profile: wireTokens(profile),
      records: records.reduce((sum, r) => sum + (r.content ? wireTokens(r) : 0), 0),
      mismatches: disagreements(profile.structuredContent as Record<string, never>, exchanges, stages, today),
    });
  }
} finally {
  await client.close().catch(() => undefined);
  await gateway.close();
  await sandbox.close();
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pad = (s: string | number, n: number) => String(s).padStart(n);
process.stdout.write(
  `\ncustomer answer tokens — tokenizer ${TOKENIZER}; seed ${seed}, today ${todayText}, ${rows.length} customers\n\n`,
);
process.stdout.write(
  `| ${'customer'.padEnd(38)} | calls | HubSpot | Intercom | ChargeOver | raw total | profile | profile/raw | records |\n`,
);
process.stdout.write(
  `|${'-'.repeat(40)}|-------|---------|----------|------------|-----------|---------|-------------|---------|\n`,
);
for (const r of rows) {
  process.stdout.write(
    `| ${r.name.slice(0, 38).padEnd(38)} | ${pad(r.raw.calls, 5)} | ${pad(r.raw.hubspot, 7)} | ${pad(r.raw.intercom, 8)} | ${pad(r.raw.chargeover, 10)} | ${pad(r.raw.total, 9)} | ${pad(r.profile, 7)} | ${pad(pct(r.profile / r.raw.total), 11)} | ${pad(r.records, 7)} |\n`,
  );
}
const ratios = rows.map((r) => r.profile / r.raw.total);
const recordRatios = rows.map((r) => r.profile / r.records);
process.stdout.write('\nmedian (min–max) over customers:\n');
process.stdout.write(
  `  raw API responses (tokens):              ${spread(
    rows.map((r) => r.raw.total),
    0,
  )}\n`,
);
process.stdout.write(
  `  get_customer_profile via gateway:        ${spread(
    rows.map((r) => r.profile),
    0,
  )}\n`,
);
process.stdout.write(
  `  record tools (deal + tickets + invoices): ${spread(
    rows.map((r) => r.records),
    0,
  )}\n`,
);
process.stdout.write(
  `  ratio profile/raw: ${spread(
    ratios.map((x) => x * 100),
    1,
    '%',
  )}\n`,
);
process.stdout.write(
  `  ratio profile/record tools: ${spread(
    recordRatios.map((x) => x * 100),
    1,
    '%',
  )}\n`,
);

const mismatched = rows.filter((r) => r.mismatches.length > 0);
for (const r of mismatched) process.stdout.write(`\nMISMATCH ${r.name}:\n  ${r.mismatches.join('\n  ')}\n`);
process.stdout.write(
  `\nfield agreement: ${rows.length - mismatched.length}/${rows.length} profiles agree with the raw responses\n`,
);
const ok = median(ratios) <= TARGET_RATIO;
process.stdout.write(
  `${ok ? 'PASS' : 'FAIL'}: median profile/raw ratio ${pct(median(ratios))} (target ≤ ${pct(TARGET_RATIO)})\n`,
);
writeResult(values.json, benchResult());
process.exitCode = ok && mismatched.length === 0 && rows.length > 0 ? 0 : 1;

/** The per-customer table, the medians, a chart of the three answers and the ≤ 10% target. */
function benchResult(): BenchResult {
  const measuredRatio = spread(
    ratios.map((x) => x * 100),
    1,
    '%',
  );
  return {
    bench: 'customer-tokens',
    title: 'Tokens per customer answer: shaped profile vs raw API responses',
    command: commandLine(),
    startedAt,
    durationMs: performance.now() - started,
    tables: [
      {
        title: 'Medians over customers',
        columns: ['answer', 'tokens', 'share of raw'],
        rows: [
          [
            'raw API responses (HubSpot + Intercom + ChargeOver)',
            spread(
              rows.map((r) => r.raw.total),
              0,
            ),
            '100%',
          ],
          [
            'customer_get_customer_profile via the gateway',
            spread(
              rows.map((r) => r.profile),
              0,
            ),
            measuredRatio,
          ],
          [
            'record tools (get_deal + list_tickets + get_invoices)',
            spread(
              rows.map((r) => r.records),
              0,
            ),
            spread(
              rows.map((r) => (r.records / r.raw.total) * 100),
              1,
              '%',
            ),
          ],
        ],
        caption:
          `Tokenizer ${TOKENIZER}; seed ${seed}, today ${todayText}; ${rows.length} customers; ` +
          'median (min–max) over customers, ratios per customer.',
      },
      {
        title: 'Per customer',
        columns: [
          'customer',
          'API calls',
          'HubSpot',
          'Intercom',
          'ChargeOver',
          'raw total',
          'profile',
          'profile/raw',
          'records',
        ],
        rows: rows.map((r) => [
          r.name,
          String(r.raw.calls),
          String(r.raw.hubspot),
          String(r.raw.intercom),
          String(r.raw.chargeover),
          String(r.raw.total),
          String(r.profile),
          pct(r.profile / r.raw.total),
          String(r.records),
        ]),
      },
    ],
    charts: [
      {
        id: 'tokens',
        title: 'Tokens per customer answer',
        unit: `tokens (${TOKENIZER})`,
        series: [
          bar(
            'raw API responses',
            rows.map((r) => r.raw.total),
          ),
          bar(
            'record tools',
            rows.map((r) => r.records),
          ),
          bar(
            'shaped profile',
            rows.map((r) => r.profile),
          ),
        ],
      },
      {
        id: 'profile-share',
        title: 'Shaped profile as a share of the raw API responses',
        unit: '% of raw tokens',
        series: [
          bar(
            'profile / raw',
            ratios.map((x) => x * 100),
          ),
        ],
        reference: { label: 'target', value: TARGET_RATIO * 100 },
      },
    ],
    targets: [
      {
        name: 'Shaped customer profile vs the raw API responses it joins (tokens)',
        target: `≤ ${pct(TARGET_RATIO)} of raw (median over customers)`,
        measured: measuredRatio,
        pass: ok,
      },
    ],
    notes: [
      `Field agreement: ${rows.length - mismatched.length}/${rows.length} profiles agree with the raw responses field by field.`,
      ...mismatched.map((r) => `MISMATCH ${r.name}: ${r.mismatches.join('; ')}`),
      "The cached deal-pipeline labels are fetched once and not counted in any customer's raw total.",
    ],
  };
}
