/**
 * Calling Lantern's internal MCP server the way its in-process users do: an SDK client over
 * Streamable HTTP (either MCP era) with the service token, and the user on whose behalf a call is
 * made in `_meta["dev.gatehouse/principal"]`.
 */
import assert from 'node:assert/strict';
import { type Caller, PRINCIPAL_META_KEY, TOOL_ERROR_META_KEY } from '@gatehouse/kit';
import { httpClient } from '@gatehouse/kit/testing';
import type { Incident } from '../../src/domain/incident-model.ts';
import type { InternalComponent, RunningInternal } from '../../src/internal/server.ts';
import type { TestLantern } from './lantern.ts';

export type Era = 'legacy' | 'modern';
export const ERAS: readonly Era[] = ['legacy', 'modern'];

export type McpClient = Awaited<ReturnType<typeof httpClient>>;

export interface Outcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  /** The tool error's code (`_meta["dev.gatehouse/tool-error"].code`). */
  code: string | undefined;
}

export function internalOf(t: TestLantern): RunningInternal {
  const internal = t.lantern.internal;
  assert.ok(internal, 'this Lantern runs no internal MCP server');
  return internal;
}

/** A connected client for one component, with the service token (or `token`). */
export function connect(
  internal: RunningInternal,
  component: InternalComponent,
  era: Era,
  token: string = internal.token,
): Promise<McpClient> {
  const url = internal.urls[component];
  assert.ok(url, `component ${component} is not served`);
  return httpClient(url, era, { authorization: `Bearer ${token}` });
}

/** The principal for a seeded user: the internal server trusts only its `id`. */
export async function principalOf(
  t: TestLantern,
  email: string,
  claims: Partial<Caller> = {},
): Promise<Caller> {
  const user = await t.user(email);
  return { id: user.id, user: user.email, org: user.orgId, roles: [user.role], ...claims };
}

export async function call(
  client: McpClient,
  name: string,
  args: Record<string, unknown>,
  caller: Caller | null,
): Promise<Outcome> {
  const result = (await client.callTool({
    name,
    arguments: args,
    ...(caller === null ? {} : { _meta: { [PRINCIPAL_META_KEY]: caller } }),
  })) as Record<string, unknown>;
  const content = (result.content ?? []) as { text?: string }[];
  const meta = (result._meta ?? {}) as Record<string, { code?: string } | undefined>;
  return {
    isError: result.isError === true,
    text: content.map((c) => c.text ?? '').join(''),
    structured: result.structuredContent as Record<string, unknown> | undefined,
    code: meta[TOOL_ERROR_META_KEY]?.code,
  };
}

export function ok(outcome: Outcome): Record<string, unknown> {
  assert.equal(outcome.isError, false, outcome.text);
  assert.ok(outcome.structured, 'a structured result');
  return outcome.structured;
}

export function toolError(outcome: Outcome, code: string, message?: RegExp): void {
  assert.equal(outcome.isError, true, `expected a tool error, got ${outcome.text}`);
  assert.equal(outcome.code, code, outcome.text);
  if (message) assert.match(outcome.text, message);
}

export interface Expected {
  total: number;
  byService: Record<string, number>;
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  resolved: number;
  meanHours: number | null;
  medianHours: number | null;
}

function tally(incidents: Incident[], key: (i: Incident) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const incident of incidents) out[key(incident)] = (out[key(incident)] ?? 0) + 1;
  return out;
}

/** What incident_stats must say, computed here from incidents as the REST API lists them. */
export function expectedStats(incidents: Incident[], days: number, now = Date.now()): Expected {
  const since = now - days * 86_400_000;
  const inWindow = incidents.filter((i) => Date.parse(i.createdAt) >= since);
  const hours = inWindow
    .filter((i) => i.resolvedAt !== null)
    .map((i) => (Date.parse(i.resolvedAt ?? '') - Date.parse(i.createdAt)) / 3_600_000)
    .sort((a, b) => a - b);
  const middle = hours.length / 2;
  const median =
    hours.length === 0
      ? null
      : hours.length % 2 === 1
        ? (hours[Math.floor(middle)] ?? 0)
        : ((hours[middle - 1] ?? 0) + (hours[middle] ?? 0)) / 2;
  return {
    total: inWindow.length,
    byService: tally(inWindow, (i) => i.service),
    bySeverity: tally(inWindow, (i) => i.severity),
    byStatus: tally(inWindow, (i) => i.status),
    resolved: hours.length,
    meanHours: hours.length === 0 ? null : hours.reduce((a, b) => a + b, 0) / hours.length,
    medianHours: median,
  };
}

function asRecord(counts: unknown): Record<string, number> {
  return Object.fromEntries((counts as { key: string; count: number }[]).map((c) => [c.key, c.count]));
}

function close(actual: unknown, expected: number | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, what);
    return;
  }
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) < 0.001,
    `${what}: ${String(actual)} ≠ ${expected}`,
  );
}

export function assertStats(stats: Record<string, unknown>, expected: Expected): void {
  assert.equal(stats.total, expected.total);
  assert.deepEqual(asRecord(stats.byService), expected.byService);
  assert.deepEqual(asRecord(stats.bySeverity), expected.bySeverity);
  assert.deepEqual(asRecord(stats.byStatus), expected.byStatus);
  const ttr = stats.timeToResolve as Record<string, unknown>;
  assert.equal(ttr.resolved, expected.resolved);
  close(ttr.meanHours, expected.meanHours, 'meanHours');
  close(ttr.medianHours, expected.medianHours, 'medianHours');
}

/** Every incident of the token user's org, as the REST API lists them. */
export async function restIncidents(t: TestLantern, as: string): Promise<Incident[]> {
  const response = await t.api('/incidents?limit=100', { as });
  assert.equal(response.status, 200);
  return ((await response.json()) as { incidents: Incident[] }).incidents;
}
