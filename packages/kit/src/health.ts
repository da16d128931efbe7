/**
 * The `health` tool every kit server has: runs the server's dependency checks (each under a
 * timeout) and reports ok / degraded / down with a line per check. The HTTP listener serves the
 * same report at `/healthz`.
 */
import * as z from 'zod';
import { defineTool, type ToolDefinition } from './define.ts';

/** A dependency check: resolves (optionally with a detail) when healthy, throws when not. */
export type HealthCheck = (signal: AbortSignal) => Promise<string | undefined>;

export const HealthReportSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']).describe('ok: every check passed; down: every check failed'),
  server: z.string(),
  version: z.string(),
  uptimeSeconds: z.number(),
  checks: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      ms: z.number(),
      detail: z.string().optional(),
    }),
  ),
});

export type HealthReport = z.infer<typeof HealthReportSchema>;

const CHECK_TIMEOUT_MS = 5_000;
const startedAt = Date.now();

async function runCheck(
  name: string,
  check: HealthCheck,
  signal: AbortSignal,
): Promise<HealthReport['checks'][0]> {
  const started = performance.now();
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]);
  try {
    const detail = await check(bounded);
    return { name, ok: true, ms: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { name, ok: false, ms: Math.round(performance.now() - started), detail };
  }
}

export async function healthReport(
  server: { name: string; version: string },
  checks: Record<string, HealthCheck>,
  signal: AbortSignal,
): Promise<HealthReport> {
  const results = await Promise.all(
    Object.entries(checks).map(([name, check]) => runCheck(name, check, signal)),
  );
  const failing = results.filter((r) => !r.ok).length;
  const status = failing === 0 ? 'ok' : failing === results.length ? 'down' : 'degraded';
  return {
    status,
    server: server.name,
    version: server.version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    checks: results,
  };
}

export function healthTool(
  server: { name: string; version: string },
  checks: Record<string, HealthCheck>,
): ToolDefinition<z.ZodObject<Record<string, never>>, typeof HealthReportSchema> {
  return defineTool({
    name: 'health',
    title: `${server.name} health`,
    description: `Reports whether the ${server.name} server and each system it depends on are reachable.`,
    input: z.object({}),
    output: HealthReportSchema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: (_input, ctx) => healthReport(server, checks, ctx.signal),
  });
}
