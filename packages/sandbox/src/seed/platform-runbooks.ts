/**
 * The runbook index the sandbox platform API searches (`GET /v1/runbooks?q=`): thirty short
 * runbooks, one line of summary and a handful of steps each. The slugs and facts match the full
 * runbooks in the knowledge server's corpus, which this index stands in front of.
 */

export interface Runbook {
  id: string;
  title: string;
  /** The service it is about; null for general procedures. */
  service: string | null;
  tags: string[];
  summary: string;
  steps: string[];
  url: string;
  updated_at: string;
}

function rb(
  id: string,
  title: string,
  service: string | null,
  tags: string[],
  summary: string,
  steps: string[],
  updated = '2026-09-14',
): Runbook {
  return {
    id,
    title,
    service,
    tags,
    summary,
    steps,
    url: `https://runbooks.northwind.internal/${id}`,
    updated_at: `${updated}T09:00:00Z`,
  };
}

export const RUNBOOKS: readonly Runbook[] = [
  rb(
    'checkout-api-high-error-rate',
    'checkout-api: high error rate',
    'checkout-api',
    ['5xx', 'errors', 'checkout', 'sev2', 'deploy'],
    'Elevated 5xx from POST /v2/checkout; usually a dependency or a bad release.',
    [
      'Open "Checkout / Overview" and read the "Errors by downstream" panel.',
      'Check for a deploy in the last hour; if errors started with it, roll it back.',
      'Check payments-gateway and inventory-service health before restarting anything.',
      'If pods are crash-looping after a config change, restart checkout-api.',
    ],
    '2026-10-02',
  ),
  rb(
    'payments-gateway-timeouts',
    'payments-gateway: timeouts and high latency',
    'payments-gateway',
    ['latency', 'timeouts', 'psp', 'adyen', 'pci'],
    'Slow or timing-out card authorisations; check the PSP before our own code.',
    [
      'Compare our p99 with Adyen status and the "PSP latency" panel.',
      'Check ledger-db connection saturation (authorisation writes block on it).',
      'If Adyen is degraded for more than 10 minutes, follow the PSP failover runbook.',
      'Shell access needs the prod-pci role.',
    ],
  ),
  rb(
    'payments-gateway-psp-failover',
    'payments-gateway: fail over to Stripe',
    'payments-gateway',
    ['psp', 'failover', 'stripe', 'adyen'],
    'Route card authorisations to the fallback provider during a PSP outage.',
    [
      'Get approval from the payments incident commander.',
      'Flip the psp.primary feature flag to stripe for a 5% canary, then 100%.',
      'Watch authorisation success rate; fail back when Adyen is healthy for 30 minutes.',
    ],
  ),
  rb(
    'payments-gateway-webhook-backlog',
    'payments-gateway: PSP webhook backlog',
    'payments-gateway',
    ['webhooks', 'backlog', 'queue'],
    'Settlement and refund webhooks piling up unprocessed.',
    [
      'Check the webhook queue depth and the oldest message age.',
      'Verify webhook signature key rotation did not break verification.',
      'Scale webhook consumers; replay failed webhooks from the PSP dashboard.',
    ],
  ),
  rb(
    'inventory-service-stock-drift',
    'inventory-service: stock drift and stuck reservations',
    'inventory-service',
    ['stock', 'drift', 'reservations', 'wms'],
    'Sellable quantity no longer matches the warehouses.',
    [
      'Compare sellable quantities with the latest WMS snapshot for the affected SKUs.',
      'Release reservations older than 15 minutes.',
      'Replay WMS adjustments for the window, then reconcile.',
    ],
  ),
  rb(
    'inventory-service-reservation-cleanup',
    'inventory-service: release abandoned reservations',
    'inventory-service',
    ['reservations', 'cleanup', 'checkout'],
    'Carts abandoned in checkout hold stock; release them safely.',
    [
      'List reservations older than 30 minutes.',
      'Release them in batches of 500 through the admin endpoint.',
      'Confirm checkout-api reservation errors drop.',
    ],
  ),
  rb(
    'search-api-degraded-results',
    'search-api: slow or degraded results',
    'search-api',
    ['latency', 'opensearch', 'search', 'thread pool'],
    'Search is slow or returns partial results; usually OpenSearch pressure.',
    [
      'Check OpenSearch cluster health and the search thread pool queue.',
      'If one node is hot, restart search-api pods to rebalance connections.',
      'If the cluster is yellow for more than 30 minutes, check the 85% disk watermark.',
      'Recent deploy? Compare latency before and after it and roll back if it matches.',
    ],
    '2026-10-20',
  ),
  rb(
    'search-api-reindex',
    'search-api: full reindex',
    'search-api',
    ['reindex', 'opensearch', 'catalog'],
    'Rebuild the products index without downtime using an alias swap.',
    [
      'Create products-v<N+1> with the current mapping.',
      'Run the reindex job; it takes about 40 minutes for the full catalog.',
      'Swap the products alias and keep the old index for 24 hours.',
    ],
  ),
  rb(
    'auth-service-login-failures',
    'auth-service: login failures and token errors',
    'auth-service',
    ['login', 'oidc', 'jwks', 'tokens'],
    'Customers cannot sign in or services reject valid tokens.',
    [
      'Check the JWKS endpoint answers and lists the current signing key.',
      'Look for a recent key rotation or deploy.',
      'Restart auth-service only if pods are unhealthy; sessions survive a restart.',
    ],
  ),
  rb(
    'auth-service-jwks-rotation',
    'auth-service: rotate signing keys',
    'auth-service',
    ['jwks', 'rotation', 'keys'],
    'Planned rotation of the token signing key with overlap.',
    [
      'Publish the new key in the JWKS 24 hours before signing with it.',
      'Switch signing to the new key.',
      'Remove the old key after the longest token lifetime has passed.',
    ],
  ),
  rb(
    'notifications-worker-backlog',
    'notifications-worker: queue backlog',
    'notifications-worker',
    ['backlog', 'queue', 'email', 'ses'],
    'Emails and pushes delayed; the queue keeps growing.',
    [
      'Check queue depth and worker error logs (SES throttling is the usual cause).',
      'Scale workers up to 24; do not exceed the SES send rate.',
      'Restart workers stuck on a poison message after moving it to the DLQ.',
    ],
  ),
  rb(
    'order-events-stuck-partition',
    'order-events: stuck partition and poison messages',
    'order-events',
    ['kafka', 'partition', 'poison', 'lag'],
    'One partition of orders.events stops moving.',
    [
      'Find the partition with growing lag and its current offset.',
      'Inspect the message at that offset; move a poison message to orders.events.dlq.',
      'Restart the consumer pod that owns the partition.',
    ],
  ),
  rb(
    'order-events-replay-dlq',
    'order-events: replay the dead-letter queue',
    'order-events',
    ['kafka', 'dlq', 'replay'],
    'Re-drive messages from orders.events.dlq after a fix.',
    [
      'Confirm the fix is deployed.',
      'Replay the DLQ in order with the replay tool, 100 messages per second.',
      'Check order status updates for the replayed orders.',
    ],
  ),
  rb(
    'kafka-consumer-lag',
    'Kafka consumer lag',
    null,
    ['kafka', 'lag', 'consumers'],
    'Consumers fall behind on any topic.',
    [
      'Check lag per partition and consumer group membership.',
      'Look for rebalances caused by max.poll.interval.ms (300 s for Java consumers).',
      'Scale consumers up to the partition count.',
    ],
  ),
  rb(
    'web-frontend-5xx',
    'web-frontend: server errors and blank pages',
    'web-frontend',
    ['5xx', 'nextjs', 'blank pages', 'cdn'],
    'Server errors or blank pages on www.',
    [
      'Find which upstream fails (search-api, checkout-api, recommendations).',
      'Blank pages after a deploy: roll back; then purge the CDN for /_next/static.',
      'Restart pods only for memory leaks (RSS above 1.5 GB).',
    ],
  ),
  rb(
    'billing-sync-failed-run',
    'billing-sync: failed nightly run',
    'billing-sync',
    ['nightly', 'netsuite', 'finance', 'job'],
    'The nightly ledger export to NetSuite failed.',
    [
      'Read the job log for the failing step.',
      'NetSuite 429s: re-run after 30 minutes; the job is idempotent per day.',
      'Tell finance in #finance-ops when the run is more than 4 hours late.',
    ],
  ),
  rb(
    'recommendations-fallback',
    'recommendations: fall back to best-sellers',
    'recommendations',
    ['fallback', 'feature store', 'latency'],
    'Serve best-sellers when recommendations is slow or down.',
    [
      'Enable the recs.fallback feature flag; the storefront stops calling the service.',
      'Check the feature store latency and the model server.',
      'Disable the flag once p99 is under 600 ms for 15 minutes.',
    ],
  ),
  rb(
    'recommendations-model-rollback',
    'recommendations: roll back the ranking model',
    'recommendations',
    ['model', 'rollback', 'ranking'],
    'A retrained model hurts click-through; go back to the previous one.',
    [
      'Compare CTR of the new model with last week in the experiment dashboard.',
      'Point model.version to the previous artifact and restart recommendations.',
    ],
  ),
  rb(
    'media-cdn-cache-purge',
    'media-cdn: cache purge',
    'media-cdn',
    ['cdn', 'cloudfront', 'cache', 'purge'],
    'Stale or broken product images served from CloudFront.',
    [
      'Purge the narrowest path pattern possible; full purges overload the origin.',
      'Watch the origin request rate on the S3 bucket.',
      'media-cdn cannot be restarted; fix the origin or the cache behaviour instead.',
    ],
  ),
  rb(
    'ledger-db-connection-saturation',
    'ledger-db: connection saturation and PgBouncer',
    'ledger-db',
    ['postgresql', 'connections', 'pgbouncer', 'saturation'],
    'Too many connections or clients waiting for one.',
    [
      'Check PgBouncer waiting clients and the pool per service.',
      'Find the service holding connections (payments-gateway is the usual one) and restart it, not the database.',
      'Never raise max_connections above 800 without the platform team.',
    ],
  ),
  rb(
    'ledger-db-failover',
    'ledger-db: switchover and failover',
    'ledger-db',
    ['postgresql', 'patroni', 'failover'],
    'Move the leader (planned) or recover from a lost leader.',
    [
      'Planned: patronictl switchover during low traffic, after announcing in #payments-oncall.',
      'Unplanned: confirm Patroni promoted a replica; check replication lag on the others.',
      'The database is never restarted through the platform API.',
    ],
  ),
  rb(
    'restore-from-backup',
    'Restore a database from backup',
    null,
    ['backup', 'restore', 'pgbackrest', 'postgresql'],
    'Point-in-time restore with pgBackRest.',
    [
      'Restore into a new instance, never over the live cluster.',
      'Verify row counts and ledger balances with the payments team.',
      'Swap traffic only after sign-off from the incident commander.',
    ],
  ),
  rb(
    'rollback-deploy',
    'Roll back a deploy',
    null,
    ['deploy', 'rollback', 'argo', 'release'],
    'Return a service to its previous version after a bad release.',
    [
      'Confirm the errors started with the deploy (compare start time with the alert).',
      'Roll back the latest deploy only; older deploys cannot be rolled back directly.',
      'Watch the service health until it is healthy again, then open a ticket for the fix.',
    ],
    '2026-10-02',
  ),
  rb(
    'restart-service-safely',
    'Restart a service safely',
    null,
    ['restart', 'pods', 'recovery'],
    'When a restart helps, and how to do it without making things worse.',
    [
      'Restart for leaks, stuck threads or lost connections; not for a bad release (roll back).',
      'Check dependencies first: restarting a caller does not fix a failing dependency.',
      'The service reports "recovering" for about 90 seconds after a restart.',
    ],
  ),
  rb(
    'incident-severity-levels',
    'Incident severity levels',
    null,
    ['incident', 'severity', 'sev1', 'sev2', 'process'],
    'How to pick SEV1 to SEV4 and who to page.',
    [
      'SEV1: checkout or payments down for everyone; page the incident commander.',
      'SEV2: degraded checkout, search or login for many customers.',
      'SEV3: one feature degraded with a workaround.',
    ],
  ),
  rb(
    'on-call-handover',
    'On-call handover',
    null,
    ['on-call', 'handover', 'process'],
    'What to hand over at the end of a rotation.',
    [
      'List open incidents and their owners.',
      'Mention silenced alerts and why.',
      'Transfer ownership of open PagerDuty incidents to the incoming engineer.',
    ],
  ),
  rb(
    'rate-limit-storm',
    'Rate-limit storm and bot traffic',
    null,
    ['rate limit', 'bots', 'waf', 'cloudfront'],
    'A traffic spike from bots or a retry storm.',
    [
      'Identify the source in the WAF logs.',
      'Enable the challenge rule for the offending paths.',
      'Check clients retrying without backoff (our own services included).',
    ],
  ),
  rb(
    'redis-memory-pressure',
    'Redis memory pressure',
    null,
    ['redis', 'memory', 'eviction', 'sessions'],
    'Redis near maxmemory; sessions and caches evicted.',
    [
      'Find the largest keys by prefix.',
      'Raise maxmemory temporarily if the node has headroom.',
      'Shorten TTLs of the offending cache.',
    ],
  ),
  rb(
    'kubernetes-node-pressure',
    'Kubernetes node pressure and evictions',
    null,
    ['kubernetes', 'nodes', 'evictions', 'memory'],
    'Nodes NotReady or pods evicted for memory or disk pressure.',
    [
      'Cordon the node and check kubelet and disk usage.',
      'Drain it; the autoscaler replaces it.',
      'Look for a pod without memory limits.',
    ],
  ),
  rb(
    'certificate-expiry',
    'Certificate expiry',
    null,
    ['tls', 'certificates', 'cert-manager'],
    'A certificate is about to expire or has expired.',
    [
      'Check the Certificate resource and cert-manager logs.',
      'Force renewal by deleting the secret; cert-manager reissues it.',
      'The Linkerd trust anchor is rotated manually with the platform team.',
    ],
  ),
];
