/**
 * `createLanternMcpServer(config)`: Lantern's external MCP server — the product's REST API as
 * tools, acting as the one user whose token it holds. It reaches Lantern only over HTTP, so it
 * can do exactly what that user could do with curl, in that user's organisation.
 */
import { type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import type { LanternMcpConfig } from './config.ts';
import { LanternApi, type LanternApiOptions } from './lantern-api.ts';
import { listServicesTool, whoamiTool } from './tools/account.ts';
import {
  addIncidentNoteTool,
  deleteIncidentTool,
  getIncidentTool,
  listIncidentsTool,
  openIncidentTool,
  setIncidentStatusTool,
} from './tools/incidents.ts';

export const LANTERN_MCP_VERSION = '0.1.0';

export interface LanternMcpDeps extends LanternApiOptions {
  logger?: Logger;
}

export function createLanternMcpServer(config: LanternMcpConfig, deps: LanternMcpDeps = {}): DomainServer {
  const { logger, ...apiOptions } = deps;
  const api = new LanternApi(config, apiOptions);
  const definition = {
    name: 'lantern',
    version: LANTERN_MCP_VERSION,
    instructions:
      "Lantern is an incident desk. These tools act as one Lantern user, in that user's organisation, " +
      'with what their role allows (whoami tells). Incidents are named by ref (INC-12); statuses go ' +
      'open → acknowledged → resolved, and a resolved incident can be reopened.',
    tools: [
      whoamiTool(api),
      listServicesTool(api),
      listIncidentsTool(api),
      getIncidentTool(api),
      openIncidentTool(api),
      addIncidentNoteTool(api),
      setIncidentStatusTool(api),
      deleteIncidentTool(api),
    ],
    checks: { lantern: (signal: AbortSignal) => api.health(signal) },
  };
  return logger === undefined ? defineServer(definition) : defineServer(definition, logger);
}
