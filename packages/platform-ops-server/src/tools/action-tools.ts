/**
 * The side-effecting platform-ops tools: restart a service, roll back a deploy. Both are marked
 * destructive (Gatehouse can require an approval for them) and refuse to run without a caller,
 * whose user name goes to the platform API as `requested_by`.
 *
 * Neither is idempotent by nature — two restarts are two restarts — so each call carries an
 * `Idempotency-Key` derived from the request itself: the tool, its target, the reason, the
 * caller and a ten-minute window. A call repeated by a model, a client retry or the HTTP
 * client's own retry therefore gets the first answer back from the platform instead of acting
 * twice; a deliberate second restart within the window needs a different reason.
 */
import { createHash } from 'node:crypto';
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import type { ToolDeps } from './read-tools.ts';
import {
  DEPLOY_ID,
  isStatus,
  minutesBetween,
  platformFailure,
  requireCaller,
  SERVICE_NAME,
  unknownService,
} from './shared.ts';

/** How long a repeated request counts as the same request. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60_000;

export function idempotencyKey(parts: {
  tool: string;
  target: string;
  reason: string;
  callerId: string;
  now: number;
}): string {
  const window = Math.floor(parts.now / IDEMPOTENCY_WINDOW_MS);
  const digest = createHash('sha256')
    .update(JSON.stringify([parts.tool, parts.target, parts.reason.trim(), parts.callerId, window]))
    .digest('hex');
  return `gatehouse-${parts.tool}-${digest.slice(0, 32)}`;
}

const reasonArg = z
  .string()
  .min(5)
  .max(500)
  .describe('Why, in a sentence; recorded in the platform action log with who asked');

/** Why the platform refused a rollback (409), told with the facts the model needs next. */
async function explainRollbackConflict(
  deps: ToolDeps,
  deployId: string,
  signal: AbortSignal,
): Promise<ToolError> {
  const deploy = await deps.api.getDeploy(deployId, signal);
  const latest = (await deps.api.listDeploys({ service: deploy.service, limit: 1 }, signal)).data[0];
  const label = `${deploy.id} (${deploy.service} ${deploy.version})`;
  if (latest !== undefined && latest.id !== deploy.id) {
    return new ToolError(
      'not_latest_deploy',
      `${label} is not the latest deploy of ${deploy.service}, and only the latest can be rolled back. The latest is ${latest.id} (version ${latest.version}, ${latest.status}, ${minutesBetween(latest.started_at, deps.now())} minutes ago).`,
      { latestDeployId: latest.id },
    );
  }
  if (deploy.status !== 'succeeded') {
    return new ToolError(
      'deploy_not_live',
      `${label} has status ${deploy.status}: it is not what is running, so there is nothing to roll back.`,
    );
  }
  return new ToolError('no_previous_version', `${deploy.service} has no earlier live version to return to.`);
}

export function actionTools(deps: ToolDeps) {
  const restartService = defineTool({
    name: 'restart_service',
    title: 'Restart a service',
    description:
      'Restarts every instance of a production service (rolling). Use it for leaks, stuck workers or lost connections — not for a bad release (roll that back) and not when a dependency is failing. The service reports "recovering" for about 90 seconds. Needs an identified caller; may need a human approval.',
    input: z.object({
      service: z.string().min(1).max(100).describe('Service name from the catalog, e.g. "search-api"'),
      reason: reasonArg,
    }),
    output: z.object({
      eventId: z.string(),
      service: z.string(),
      healthStatus: z.string(),
      recoveringUntil: z.string(),
      requestedBy: z.string(),
      requestedAt: z.string(),
      idempotencyKey: z.string(),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async handler({ service, reason }, ctx) {
      const caller = requireCaller(ctx, 'restart_service');
      const name = service.trim();
      if (!SERVICE_NAME.test(name)) throw await unknownService(deps.directory, name, ctx.signal);
      const key = idempotencyKey({
        tool: 'restart_service',
        target: name,
        reason,
        callerId: caller.id,
        now: deps.now(),
      });
      try {
        const answer = await deps.api.restart(name, { reason, requested_by: caller.user }, key, ctx.signal);
        ctx.log.info({ service: name, event: answer.event.id, by: caller.user }, 'restart requested');
        return {
          eventId: answer.event.id,
          service: answer.service,
          healthStatus: answer.health_status,
          recoveringUntil: answer.recovering_until,
          requestedBy: answer.event.requested_by,
          requestedAt: answer.event.at,
          idempotencyKey: key,
        };
      } catch (error) {
        if (isStatus(error, 404)) throw await unknownService(deps.directory, name, ctx.signal);
        if (isStatus(error, 409)) {
          throw new ToolError(
            'not_restartable',
            `${name} cannot be restarted through the platform API (it is a database or a CDN). Search the runbooks for ${name} for the right procedure.`,
          );
        }
        throw platformFailure(error);
      }
    },
  });

  const rollbackDeploy = defineTool({
    name: 'rollback_deploy',
    title: 'Roll back a deploy',
    description:
      "Rolls a service back to its previous live version by undoing its latest deploy (get the id from list_recent_deploys or get_service_health's recentDeploy). Only a service's latest, successful deploy can be rolled back. Needs an identified caller; may need a human approval.",
    input: z.object({
      deployId: z.string().min(1).max(100).describe('The deploy to undo, e.g. "dep_3f9a0c1b2d4e"'),
      reason: reasonArg,
    }),
    output: z.object({
      rollbackDeployId: z.string(),
      service: z.string(),
      fromVersion: z.string(),
      toVersion: z.string(),
      rolledBackDeployId: z.string(),
      requestedBy: z.string(),
      startedAt: z.string(),
      idempotencyKey: z.string(),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async handler({ deployId, reason }, ctx) {
      const caller = requireCaller(ctx, 'rollback_deploy');
      const id = deployId.trim();
      const unknown = new ToolError(
        'unknown_deploy',
        `There is no deploy "${id}". Use list_recent_deploys to find the id of the deploy to undo.`,
      );
      if (!DEPLOY_ID.test(id)) throw unknown;
      const key = idempotencyKey({
        tool: 'rollback_deploy',
        target: id,
        reason,
        callerId: caller.id,
        now: deps.now(),
      });
      try {
        const answer = await deps.api.rollback(id, { reason, requested_by: caller.user }, key, ctx.signal);
        ctx.log.info({ deploy: id, replacement: answer.deploy.id, by: caller.user }, 'rollback requested');
        return {
          rollbackDeployId: answer.deploy.id,
          service: answer.deploy.service,
          fromVersion: answer.rolled_back.version,
          toVersion: answer.deploy.version,
          rolledBackDeployId: answer.rolled_back.id,
          requestedBy: answer.event.requested_by,
          startedAt: answer.deploy.started_at,
          idempotencyKey: key,
        };
      } catch (error) {
        if (isStatus(error, 404)) throw unknown;
        if (isStatus(error, 409)) {
          throw await explainRollbackConflict(deps, id, ctx.signal).catch((e: unknown) => platformFailure(e));
        }
        throw platformFailure(error);
      }
    },
  });

  return [restartService, rollbackDeploy];
}
