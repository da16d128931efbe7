/**
 * The `automation` component: what the product's own automation (an `automation:<name>` caller,
 * see identity.ts) records about its runs beyond the incident changes it makes through the
 * incidents component — a run's outcome, a step that failed, an action it asked a human to
 * approve. Served only when an automation is configured, and callable only by an automation:
 * a user (whatever their role) is refused.
 *
 *   record_step   one activity entry (`automation.<step>`) in the automation's org, as itself
 */
import { type DomainServer, defineServer } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { recordActivity } from '../domain/activity.ts';
import { ProductError } from '../domain/errors.ts';
import { actorLabel } from '../domain/permissions.ts';
import { internalTool } from './identity.ts';

export const AUTOMATION_COMPONENT = 'automation';

/** The steps an automation may record (the activity action is `automation.<step>`). */
export const AUTOMATION_STEPS = [
  'run',
  'failed',
  'approval_requested',
  'approval_pending',
  'action_executed',
  'action_refused',
  'recovered',
] as const;

export function automationComponent(core: LanternCore, version: string): DomainServer {
  return defineServer({
    name: 'lantern-automation',
    version,
    instructions: "The activity log of Lantern's own automation; automation callers only.",
    tools: [
      internalTool(core, {
        name: 'record_step',
        title: 'Record an automation step',
        description:
          "Records one step of an automation run in the activity log of the automation's org (action automation.<step>, the target it was about, details).",
        input: z.object({
          step: z.enum(AUTOMATION_STEPS),
          target: z
            .string()
            .min(1)
            .max(200)
            .describe('What the step was about: an incident ref, a service, a run'),
          detail: z.record(z.string(), z.unknown()).default({}),
        }),
        output: z.object({ recorded: z.string(), actor: z.string() }),
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
        run: async (input, actor) => {
          if (actor.kind !== 'automation')
            throw new ProductError('forbidden', 'only an automation records automation steps');
          const detail = JSON.stringify(input.detail);
          if (detail.length > 8_000)
            throw new ProductError('invalid', `detail is ${detail.length} characters of JSON; at most 8000`);
          const action = `automation.${input.step}`;
          await recordActivity(core.sql, core.clock, actor, action, input.target, input.detail);
          return { recorded: action, actor: actorLabel(actor) };
        },
      }),
    ],
  });
}
