/**
 * `createPlatformOpsServer`: the platform-ops domain server — service health, runbook search
 * and the deploy log (read-only), restart and rollback (destructive, attributable, idempotent
 * per request), the service catalog as `service://catalog/{service}` resources and the
 * `incident-triage` prompt, over one platform API client.
 */
import { type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import { catalogResource } from './catalog-resource.ts';
import type { PlatformOpsConfig } from './config.ts';
import { PlatformApi } from './connectors/platform-api.ts';
import { incidentTriagePrompt } from './prompts.ts';
import { actionTools } from './tools/action-tools.ts';
import { readTools, type ToolDeps } from './tools/read-tools.ts';
import { ServiceDirectory } from './tools/shared.ts';

export const SERVER_NAME = 'platform-ops';
export const SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = `Northwind Outfitters' production platform: 12 services (checkout-api, payments-gateway, inventory-service, search-api, auth-service, notifications-worker, order-events, web-frontend, billing-sync, recommendations, media-cdn, ledger-db).
Start with get_service_health for the service in question, then list_recent_deploys to see what changed and search_runbooks for the procedure. restart_service and rollback_deploy change production: propose them with a reason, and expect them to need a human approval.`;

export function createPlatformOpsServer(config: PlatformOpsConfig, log?: Logger): DomainServer {
  const api = new PlatformApi({
    baseUrl: config.baseUrl,
    token: config.token,
    timeoutMs: config.timeoutMs,
    ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
    ...(config.breakerFailures === undefined ? {} : { breakerFailures: config.breakerFailures }),
  });
  const directory = new ServiceDirectory(api);
  const deps: ToolDeps = { api, directory, now: config.now };
  return defineServer(
    {
      name: SERVER_NAME,
      version: SERVER_VERSION,
      instructions: INSTRUCTIONS,
      tools: [...readTools(deps), ...actionTools(deps)],
      resources: [catalogResource(api, directory)],
      prompts: [incidentTriagePrompt(deps)],
      checks: {
        'platform-api': async (signal) => {
          const services = await api.listServices(signal);
          return `${services.length} services in the catalog`;
        },
      },
    },
    ...(log === undefined ? [] : [log]),
  );
}
