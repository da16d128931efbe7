/**
 * The in-memory state behind the sandbox platform API: the catalog, the deploy history, each
 * service's condition (ongoing problem, recovery window), the action log, and the two actions
 * that change it — restart and rollback — with their business rules. Idempotency lives here too:
 * an action answers the same way for a repeated `Idempotency-Key`, and refuses a key reused for
 * a different request.
 */
import { derive } from '../random.ts';
import { CATALOG, type CatalogEntry, SCENARIOS } from '../seed/platform.ts';
import { type Deploy, generateDeploys, newestFirst } from './platform-deploys.ts';
import { computeHealth, type Health, RECOVERY_MS, type ServiceCondition } from './platform-health.ts';

export interface PlatformEvent {
  id: string;
  type: 'restart' | 'rollback';
  service: string;
  at: string;
  requested_by: string;
  reason: string;
  idempotency_key: string;
  /** For a rollback: the deploy undone and the deploy that replaced it. */
  deploy_id: string | null;
  rolled_back_deploy_id: string | null;
}

/** An answer the routes send as is: HTTP status and JSON body. */
export interface Answer {
  status: 200 | 201 | 202 | 400 | 404 | 409 | 422;
  body: unknown;
}

export function apiError(status: Answer['status'], code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

export interface ActionRequest {
  reason: string;
  requested_by: string;
}

export class PlatformWorld {
  readonly deploys: Deploy[];
  readonly events: PlatformEvent[] = [];
  private readonly seed: number;
  private readonly now: number;
  private readonly clock: () => Date;
  private readonly conditions = new Map<string, ServiceCondition>();
  private readonly idempotency = new Map<string, { fingerprint: string; answer: Answer }>();
  private readonly ids;

  constructor(seed: number, now: Date, clock: () => Date) {
    this.seed = seed;
    this.now = now.getTime();
    this.clock = clock;
    this.deploys = generateDeploys(seed, now);
    this.ids = derive(seed, 'platform-actions');
    for (const entry of CATALOG) {
      this.conditions.set(entry.name, {
        scenario: SCENARIOS.find((s) => s.service === entry.name),
        scenarioEndedAt: undefined,
        recoveringUntil: undefined,
      });
    }
  }

  service(name: string): CatalogEntry | undefined {
    return CATALOG.find((s) => s.name === name);
  }

  health(entry: CatalogEntry): Health {
    const condition = this.conditions.get(entry.name);
    if (condition === undefined) throw new Error(`no condition for ${entry.name}`);
    return computeHealth(this.seed, entry, condition, this.now, this.clock().getTime());
  }

  /** Runs an action once per key; a repeat gets the first answer, a reuse for another request 422. */
  idempotent(key: string, fingerprint: string, action: () => Answer): Answer & { replayed: boolean } {
    const previous = this.idempotency.get(key);
    if (previous !== undefined) {
      if (previous.fingerprint !== fingerprint) {
        return {
          ...apiError(
            422,
            'idempotency_key_reused',
            'This Idempotency-Key was already used for a different request; use a new key.',
          ),
          replayed: false,
        };
      }
      return { ...previous.answer, replayed: true };
    }
    const answer = action();
    // Only completed actions are remembered; a refused request may be retried with the same key.
    if (answer.status < 400) this.idempotency.set(key, { fingerprint, answer });
    return { ...answer, replayed: false };
  }

  restart(entry: CatalogEntry, request: ActionRequest, key: string): Answer {
    if (!entry.restartable) {
      return apiError(
        409,
        'not_restartable',
        `${entry.name} cannot be restarted through the platform API; see the runbooks for ${entry.name}.`,
      );
    }
    const at = this.clock().getTime();
    const until = this.recover(entry.name, at);
    const event = this.record('restart', entry.name, at, request, key, null, null);
    return {
      status: 202,
      body: { event, service: entry.name, health_status: 'recovering', recovering_until: until },
    };
  }

  rollback(deploy: Deploy, request: ActionRequest, key: string): Answer {
    const latest = this.deploys.find((d) => d.service === deploy.service);
    if (latest !== undefined && latest.id !== deploy.id) {
      return apiError(
        409,
        'not_latest_deploy',
        `${deploy.id} is not the latest deploy of ${deploy.service}; only the latest (${latest.id}, version ${latest.version}) can be rolled back.`,
      );
    }
    if (deploy.status !== 'succeeded') {
      return apiError(
        409,
        'deploy_not_live',
        `${deploy.id} has status ${deploy.status}; only a live (succeeded) deploy can be rolled back.`,
      );
    }
    const previous = this.deploys.find(
      (d) =>
        d.service === deploy.service &&
        d.status === 'succeeded' &&
        d.version !== deploy.version &&
        newestFirst(d, deploy) > 0,
    );
    if (previous === undefined) {
      return apiError(
        409,
        'no_previous_version',
        `${deploy.service} has no earlier live version to return to.`,
      );
    }
    const at = this.clock().getTime();
    const replacement: Deploy = {
      id: `dep_${this.ids.hex(12)}`,
      service: deploy.service,
      version: previous.version,
      commit_sha: previous.commit_sha,
      author: request.requested_by,
      started_at: new Date(at).toISOString(),
      finished_at: new Date(at).toISOString(),
      status: 'succeeded',
      summary: `Rollback to ${previous.version}: ${request.reason}`,
      rollback_of: deploy.id,
    };
    deploy.status = 'rolled_back';
    this.deploys.push(replacement);
    this.deploys.sort(newestFirst);
    this.recover(deploy.service, at);
    const event = this.record('rollback', deploy.service, at, request, key, replacement.id, deploy.id);
    return {
      status: 201,
      body: {
        event,
        deploy: replacement,
        rolled_back: { id: deploy.id, version: deploy.version, status: deploy.status },
      },
    };
  }

  /** Ends the service's problem and starts a recovery window; returns when it ends. */
  private recover(service: string, at: number): string {
    const condition = this.conditions.get(service);
    if (condition === undefined) throw new Error(`no condition for ${service}`);
    if (condition.scenario !== undefined && condition.scenarioEndedAt === undefined)
      condition.scenarioEndedAt = at;
    condition.recoveringUntil = at + RECOVERY_MS;
    return new Date(condition.recoveringUntil).toISOString();
  }

  private record(
    type: PlatformEvent['type'],
    service: string,
    at: number,
    request: ActionRequest,
    key: string,
    deployId: string | null,
    rolledBack: string | null,
  ): PlatformEvent {
    const event: PlatformEvent = {
      id: `evt_${this.ids.hex(12)}`,
      type,
      service,
      at: new Date(at).toISOString(),
      requested_by: request.requested_by,
      reason: request.reason,
      idempotency_key: key,
      deploy_id: deployId,
      rolled_back_deploy_id: rolledBack,
    };
    this.events.unshift(event);
    return event;
  }
}
