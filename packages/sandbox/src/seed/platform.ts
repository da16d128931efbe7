/**
 * Seed data for the sandbox platform API: Northwind Outfitters' service catalog (the twelve
 * production services, their owners, SLOs and dependencies), the baseline signals the health
 * model varies around, the people who deploy, what their changes say, and the two ongoing
 * problems the sandbox starts with (a checkout error spike after a release, slow search).
 * The facts agree with the knowledge corpus (languages, owners, runbook names).
 */

export type Team = 'payments' | 'storefront' | 'platform' | 'data' | 'identity' | 'fulfilment';

/** A catalog entry exactly as `GET /v1/services/{name}` answers it. */
export interface CatalogEntry {
  name: string;
  description: string;
  team: Team;
  tier: 1 | 2 | 3;
  language: string;
  repo: string;
  on_call: { rotation: string; escalation_policy: string; slack_channel: string };
  dependencies: string[];
  slo: { availability_target_pct: number; latency_p99_target_ms: number };
  dashboard_url: string;
  /** False for things an API restart makes no sense for (a database cluster, a CDN). */
  restartable: boolean;
}

/** What a service looks like on a quiet day; the health model adds load and noise. */
export interface Baseline {
  latencyP50Ms: number;
  latencyP99Ms: number;
  requestsPerSecond: number;
  errorRate: number;
  saturation: number;
}

const ROTATIONS: Record<Team, CatalogEntry['on_call']> = {
  payments: {
    rotation: 'payments-primary',
    escalation_policy: 'Payments Primary',
    slack_channel: '#payments-oncall',
  },
  storefront: {
    rotation: 'storefront-primary',
    escalation_policy: 'Storefront Primary',
    slack_channel: '#storefront-oncall',
  },
  platform: {
    rotation: 'platform-primary',
    escalation_policy: 'Platform Primary',
    slack_channel: '#platform-oncall',
  },
  data: { rotation: 'data-business-hours', escalation_policy: 'Data Team', slack_channel: '#data-oncall' },
  identity: {
    rotation: 'identity-primary',
    escalation_policy: 'Identity Primary',
    slack_channel: '#identity-oncall',
  },
  fulfilment: {
    rotation: 'fulfilment-primary',
    escalation_policy: 'Fulfilment Primary',
    slack_channel: '#fulfilment-oncall',
  },
};

function entry(
  name: string,
  team: Team,
  tier: 1 | 2 | 3,
  language: string,
  description: string,
  dependencies: string[],
  slo: [availabilityPct: number, p99Ms: number],
  restartable = true,
): CatalogEntry {
  return {
    name,
    description,
    team,
    tier,
    language,
    repo: `https://github.com/northwind-outfitters/${name}`,
    on_call: ROTATIONS[team],
    dependencies,
    slo: { availability_target_pct: slo[0], latency_p99_target_ms: slo[1] },
    dashboard_url: `https://grafana.northwind.internal/d/${name}/overview`,
    restartable,
  };
}

export const CATALOG: readonly CatalogEntry[] = [
  entry(
    'checkout-api',
    'storefront',
    1,
    'go',
    'Turns a cart into an order: prices it, reserves stock and asks payments-gateway to authorise the card.',
    ['payments-gateway', 'inventory-service', 'auth-service', 'order-events'],
    [99.95, 800],
  ),
  entry(
    'payments-gateway',
    'payments',
    1,
    'java',
    'The only service that talks to the payment providers (Adyen primary, Stripe fallback); writes authorisations to ledger-db.',
    ['ledger-db', 'auth-service'],
    [99.95, 1500],
  ),
  entry(
    'inventory-service',
    'fulfilment',
    1,
    'go',
    'Sellable quantity per SKU, stock reservations for carts in checkout, adjustments from the warehouses.',
    ['order-events'],
    [99.9, 300],
  ),
  entry(
    'search-api',
    'storefront',
    1,
    'typescript',
    'Product search and facets over the OpenSearch cluster search-prod.',
    ['inventory-service'],
    [99.9, 400],
  ),
  entry(
    'auth-service',
    'identity',
    1,
    'go',
    'OpenID Connect provider for customers and staff; signs tokens and publishes the JWKS.',
    [],
    [99.99, 250],
  ),
  entry(
    'notifications-worker',
    'fulfilment',
    2,
    'python',
    'Sends order confirmations, shipping updates, password resets and back-in-stock alerts from a queue.',
    ['order-events', 'auth-service'],
    [99.5, 5000],
  ),
  entry(
    'order-events',
    'fulfilment',
    1,
    'java',
    'Kafka consumer of orders.events: creates pick requests, asks for notifications, updates order status.',
    ['inventory-service', 'notifications-worker'],
    [99.9, 2000],
  ),
  entry(
    'web-frontend',
    'storefront',
    1,
    'typescript',
    'The Next.js application that renders www.northwindoutfitters.com.',
    ['search-api', 'checkout-api', 'recommendations', 'auth-service', 'media-cdn'],
    [99.95, 1200],
  ),
  entry(
    'billing-sync',
    'payments',
    3,
    'python',
    "Nightly job that pushes the previous day's ledger totals to the finance team's ERP (NetSuite).",
    ['ledger-db'],
    [99.0, 60000],
  ),
  entry(
    'recommendations',
    'data',
    2,
    'python',
    'FastAPI service ranking "you may also like" products; the storefront falls back to best-sellers without it.',
    ['search-api'],
    [99.5, 600],
  ),
  entry(
    'media-cdn',
    'platform',
    2,
    'terraform',
    'The CloudFront distribution serving product images and videos from media.northwindoutfitters.com.',
    [],
    [99.9, 200],
    false,
  ),
  entry(
    'ledger-db',
    'platform',
    1,
    'postgresql',
    'PostgreSQL 16 cluster (Patroni) holding the double-entry ledger, authorisations and idempotency keys.',
    [],
    [99.99, 50],
    false,
  ),
];

/** Quiet-day signals: p50 ms, p99 ms, requests per second, error rate, saturation. */
const BASELINE_TABLE: Record<string, [number, number, number, number, number]> = {
  'checkout-api': [140, 520, 85, 0.0015, 0.42],
  'payments-gateway': [310, 980, 60, 0.002, 0.38],
  'inventory-service': [18, 140, 420, 0.0008, 0.35],
  'search-api': [55, 260, 640, 0.001, 0.47],
  'auth-service': [22, 120, 900, 0.0004, 0.33],
  'notifications-worker': [650, 2600, 35, 0.003, 0.3],
  'order-events': [120, 900, 140, 0.001, 0.4],
  'web-frontend': [210, 760, 1100, 0.0012, 0.5],
  'billing-sync': [9000, 31000, 0.2, 0, 0.12],
  recommendations: [95, 380, 310, 0.002, 0.45],
  'media-cdn': [12, 90, 5200, 0.0003, 0.2],
  'ledger-db': [3, 24, 2400, 0.0001, 0.41],
};

export const BASELINES: Record<string, Baseline> = Object.fromEntries(
  Object.entries(BASELINE_TABLE).map(([name, [p50, p99, rps, errorRate, saturation]]) => [
    name,
    { latencyP50Ms: p50, latencyP99Ms: p99, requestsPerSecond: rps, errorRate, saturation },
  ]),
);

/** Engineers who deploy, per team (handles as they appear in the deploy tool). */
export const ENGINEERS: Record<Team, readonly string[]> = {
  payments: ['priya.nair', 'tomasz.wojcik', 'lena.fischer'],
  storefront: ['marcus.obi', 'sofia.alvarez', 'jun.park', 'emma.lindqvist'],
  platform: ['dev.raman', 'claire.dubois', 'ahmed.haddad'],
  data: ['ines.moreau', 'kofi.mensah'],
  identity: ['hannah.cole', 'rafael.souza'],
  fulfilment: ['oliver.grant', 'mei.tanaka', 'lucas.bauer'],
};

/** Change summaries by service, the way commit titles read in the deploy log. */
export const CHANGES: Record<string, readonly string[]> = {
  'checkout-api': [
    'Retry inventory reservations once on 409',
    'Move promo-code validation before stock reservation',
    'Add checkout_step label to latency histogram',
    'Bump pgx to 5.7 and tune pool idle timeout',
    'Reject carts with more than 200 lines early',
  ],
  'payments-gateway': [
    'Lower Adyen read timeout to 8s and add Stripe fallback metric',
    'Upgrade Resilience4j to 2.2',
    'Store 3-D Secure outcome on the authorisation record',
    'Rotate PSP webhook signature keys',
  ],
  'inventory-service': [
    'Expire abandoned reservations after 15 minutes',
    'Batch WMS adjustments per warehouse',
    'Fix negative stock after concurrent cancellations',
  ],
  'search-api': [
    'Boost in-stock products in relevance scoring',
    'Upgrade OpenSearch client to 2.13',
    'Cache facet counts for 60s',
    'Add synonyms for climbing gear',
  ],
  'auth-service': [
    'Rotate JWKS signing key',
    'Shorten staff session lifetime to 8h',
    'Add WebAuthn for staff',
  ],
  'notifications-worker': [
    'Switch transactional email to the new SES configuration set',
    'Deduplicate back-in-stock alerts',
    'Raise worker concurrency to 24',
  ],
  'order-events': [
    'Send poison messages to orders.events.dlq after 5 attempts',
    'Upgrade Kafka client to 3.8',
    'Emit order_status_changed to analytics',
  ],
  'web-frontend': [
    'Lazy-load product video player',
    'New size guide on product pages',
    'Upgrade Next.js to 15.3',
    'Prefetch checkout bundle on cart open',
    'Fix hydration warning in header',
  ],
  'billing-sync': ['Map new VAT codes to NetSuite items', 'Retry NetSuite 429s with backoff'],
  recommendations: ['Retrain ranking model (weekly)', 'Fallback to best-sellers when feature store is slow'],
  'media-cdn': ['Add cache behaviour for /video/*', 'Tighten origin access control on the S3 bucket'],
  'ledger-db': ['Add index on authorisations(created_at)', 'Raise max_connections on PgBouncer to 800'],
};

/** Deploys per 30 days, roughly, by service. */
export const DEPLOY_RATE: Record<string, number> = {
  'checkout-api': 24,
  'payments-gateway': 10,
  'inventory-service': 14,
  'search-api': 18,
  'auth-service': 6,
  'notifications-worker': 9,
  'order-events': 8,
  'web-frontend': 40,
  'billing-sync': 3,
  recommendations: 8,
  'media-cdn': 2,
  'ledger-db': 2,
};

/** An alert as the health endpoint reports it (times are minutes before the sandbox's `now`). */
export interface SeededAlert {
  name: string;
  severity: 'critical' | 'warning';
  minutesAgo: number;
  summary: string;
}

/**
 * The problems the sandbox starts with. Each lasts until the service is restarted or (for a bad
 * release) its latest deploy is rolled back. `release` forces the service's latest deploy.
 */
export interface Scenario {
  service: string;
  /** Multipliers and overrides applied to the baseline while the problem lasts. */
  errorRate: number;
  latencyFactor: number;
  saturation: number;
  alerts: SeededAlert[];
  incident: { id: string; title: string; severity: 'SEV1' | 'SEV2' | 'SEV3'; minutesAgo: number };
  release?: { minutesAgo: number; summary: string; author: string };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    service: 'checkout-api',
    errorRate: 0.064,
    latencyFactor: 1.6,
    saturation: 0.71,
    alerts: [
      {
        name: 'CheckoutHighErrorRate',
        severity: 'critical',
        minutesAgo: 38,
        summary: '6.4% of POST /v2/checkout requests returned 5xx over the last 5 minutes (threshold 2%)',
      },
      {
        name: 'CheckoutErrorBudgetFastBurn',
        severity: 'critical',
        minutesAgo: 31,
        summary: '1h burn rate of the 99.95% availability SLO is 128x',
      },
    ],
    incident: {
      id: 'INC-2291',
      title: 'Checkout 5xx spike after release',
      severity: 'SEV2',
      minutesAgo: 30,
    },
    release: {
      minutesAgo: 42,
      summary: 'Apply promotions through the new pricing engine',
      author: 'sofia.alvarez',
    },
  },
  {
    service: 'search-api',
    errorRate: 0.004,
    latencyFactor: 4.2,
    saturation: 0.88,
    alerts: [
      {
        name: 'SearchLatencyHigh',
        severity: 'warning',
        minutesAgo: 17,
        summary: 'p99 of GET /v1/search above 400 ms for 15 minutes; OpenSearch thread pool queue growing',
      },
    ],
    incident: { id: 'INC-2290', title: 'Slow search results', severity: 'SEV3', minutesAgo: 12 },
  },
];

/** Past incidents, one per service at most, shown as `last_incident` when nothing is ongoing. */
export const PAST_INCIDENTS: Record<string, { title: string; severity: 'SEV1' | 'SEV2' | 'SEV3' }> = {
  'checkout-api': { title: 'Checkout timeouts while payments pool was exhausted', severity: 'SEV1' },
  'payments-gateway': { title: 'Adyen authorisation latency above 10s', severity: 'SEV2' },
  'inventory-service': { title: 'Stock drift after WMS adjustment replay', severity: 'SEV3' },
  'search-api': { title: 'Reindex left stale prices in results', severity: 'SEV3' },
  'auth-service': { title: 'Login failures after JWKS rotation', severity: 'SEV2' },
  'notifications-worker': { title: 'Order confirmation backlog of 40k emails', severity: 'SEV3' },
  'order-events': { title: 'Stuck partition 7 on orders.events', severity: 'SEV2' },
  'web-frontend': { title: 'Blank product pages from a bad CDN cache key', severity: 'SEV2' },
  'ledger-db': { title: 'Connection saturation on PgBouncer', severity: 'SEV1' },
  'media-cdn': { title: 'Stale product images after purge failure', severity: 'SEV3' },
};
