/**
 * The customer domain server: connectors to HubSpot, Intercom and ChargeOver built from the
 * configuration, the cross-system tools (`get_customer_profile`, `find_at_risk_renewals`), the
 * per-system record tools (`get_deal`, `list_tickets`, `get_invoices`) and a health check per
 * system.
 */
import { createLogger, type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import type { CustomerConfig } from './config.ts';
import { ChargeOverConnector } from './connectors/chargeover.ts';
import { HubSpotConnector } from './connectors/hubspot.ts';
import { IntercomConnector } from './connectors/intercom.ts';
import { todayOf } from './dates.ts';
import type { Connectors } from './identify.ts';
import { atRiskTool } from './tools/at-risk-tool.ts';
import type { ToolDeps } from './tools/deps.ts';
import { profileTool } from './tools/profile-tool.ts';
import { getDealTool, getInvoicesTool, listTicketsTool } from './tools/record-tools.ts';

export const SERVER_NAME = 'customer';
export const SERVER_VERSION = '0.1.0';

export interface CustomerServerOptions {
  /** Used for every API call (tests and the token benchmark record what is fetched). */
  fetch?: typeof fetch;
  logger?: Logger;
}

export function createConnectors(config: CustomerConfig, options: CustomerServerOptions = {}): Connectors {
  const common = { timeoutMs: config.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  return {
    hubspot: new HubSpotConnector({ ...common, ...config.hubspot }),
    intercom: new IntercomConnector({ ...common, ...config.intercom }),
    chargeover: new ChargeOverConnector({ ...common, ...config.chargeover }),
  };
}

export function createCustomerServer(
  config: CustomerConfig,
  options: CustomerServerOptions = {},
): DomainServer {
  const connectors = createConnectors(config, options);
  const deps: ToolDeps = { connectors, today: () => todayOf(config.today) };
  return defineServer(
    {
      name: SERVER_NAME,
      version: SERVER_VERSION,
      instructions:
        "Customer answers across Northwind's CRM (HubSpot), support desk (Intercom) and billing (ChargeOver). Start with get_customer_profile for any question about one customer, and find_at_risk_renewals for renewals endangered by open support issues; get_deal, list_tickets and get_invoices return one system's raw records for drilling down.",
      tools: [
        profileTool(deps),
        atRiskTool(deps),
        getDealTool(deps),
        listTicketsTool(deps),
        getInvoicesTool(deps),
      ],
      checks: {
        hubspot: (signal) => connectors.hubspot.check(signal),
        intercom: (signal) => connectors.intercom.check(signal),
        chargeover: (signal) => connectors.chargeover.check(signal),
      },
    },
    options.logger ?? createLogger(SERVER_NAME),
  );
}
