/**
 * The service catalog as MCP resources: `service://catalog/{service}` lists all twelve services
 * and reads one as a JSON document (owner, on-call, SLOs, dependencies and the services that
 * depend on it), with completion of the service name. Reference context, read by hosts that
 * attach resources, as opposed to the live signals the tools fetch.
 */
import { defineResourceTemplate, type TemplateDefinition } from '@gatehouse/kit';
import { ResourceNotFoundError } from '@modelcontextprotocol/server';
import type { CatalogEntry, PlatformApi } from './connectors/platform-api.ts';
import { isStatus, platformFailure, SERVICE_NAME, type ServiceDirectory } from './tools/shared.ts';

export const CATALOG_URI_TEMPLATE = 'service://catalog/{service}';

export function catalogDocument(entry: CatalogEntry, all: CatalogEntry[]) {
  return {
    name: entry.name,
    description: entry.description,
    team: entry.team,
    tier: entry.tier,
    language: entry.language,
    repo: entry.repo,
    onCall: {
      rotation: entry.on_call.rotation,
      escalationPolicy: entry.on_call.escalation_policy,
      slackChannel: entry.on_call.slack_channel,
    },
    dependencies: entry.dependencies,
    dependents: all.filter((other) => other.dependencies.includes(entry.name)).map((other) => other.name),
    slo: {
      availabilityTargetPct: entry.slo.availability_target_pct,
      latencyP99TargetMs: entry.slo.latency_p99_target_ms,
    },
    dashboardUrl: entry.dashboard_url,
    restartable: entry.restartable,
  };
}

export function catalogResource(api: PlatformApi, directory: ServiceDirectory): TemplateDefinition {
  return defineResourceTemplate({
    name: 'service-catalog',
    uriTemplate: CATALOG_URI_TEMPLATE,
    title: 'Service catalog entry',
    description:
      'One production service: owning team, tier, language, repository, on-call rotation, SLO targets, what it depends on and what depends on it.',
    mimeType: 'application/json',
    async list(ctx) {
      const entries = await directory.entries(ctx.signal).catch((error: unknown) => {
        throw platformFailure(error);
      });
      return entries.map((entry) => ({
        uri: `service://catalog/${entry.name}`,
        name: entry.name,
        description: `${entry.team} team, tier ${entry.tier}: ${entry.description}`,
      }));
    },
    complete: {
      service: async (prefix) => {
        const names = await directory.names().catch(() => []);
        return names.filter((name) => name.startsWith(prefix.trim().toLowerCase()));
      },
    },
    async read(uri, { service = '' }, ctx) {
      if (!SERVICE_NAME.test(service))
        throw new ResourceNotFoundError(uri.href, `No service "${service}" in the catalog.`);
      try {
        const [entry, all] = await Promise.all([
          api.getService(service, ctx.signal),
          directory.entries(ctx.signal),
        ]);
        return {
          contents: [
            {
              uri: uri.href,
              mimeType: 'application/json',
              text: JSON.stringify(catalogDocument(entry, all), null, 2),
            },
          ],
        };
      } catch (error) {
        if (isStatus(error, 404))
          throw new ResourceNotFoundError(uri.href, `No service "${service}" in the catalog.`);
        throw platformFailure(error);
      }
    },
  });
}
