/** `whoami` and `list_services`: who this server acts as, and what can have incidents. */
import { defineTool } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternApi } from '../lantern-api.ts';
import { MeSchema, ServiceSchema } from '../schemas.ts';

const READ = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

export function whoamiTool(api: LanternApi) {
  return defineTool({
    name: 'whoami',
    title: 'Who am I in Lantern',
    description:
      'Shows the Lantern user this server acts as (name, email, organisation, role) and what that role ' +
      'allows (e.g. incidents:write). Call it first when unsure whether an action is permitted.',
    input: z.object({}),
    output: MeSchema,
    annotations: READ,
    handler: (_input, ctx) => api.me(ctx.signal),
  });
}

export function listServicesTool(api: LanternApi) {
  return defineTool({
    name: 'list_services',
    title: 'List services',
    description:
      "Lists your organisation's services (name, owning team, tier 1 = most critical). An incident's " +
      'service must be one of these names.',
    input: z.object({}),
    output: z.object({ services: z.array(ServiceSchema) }),
    annotations: READ,
    handler: async (_input, ctx) => ({ services: await api.services(ctx.signal) }),
  });
}
