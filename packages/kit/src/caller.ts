/**
 * Who is calling. Gatehouse forwards the principal it authenticated in
 * `_meta["dev.gatehouse/principal"]` (`forwardIdentity: { meta: true }` on the upstream), and
 * strips any value a client sent itself, so a server reached only through the gateway can trust
 * it. A server reached directly (standalone, stdio from a local host) sees no caller unless one
 * is configured with `GATEHOUSE_CALLER` (JSON) for local use.
 */
import * as z from 'zod';

export const PRINCIPAL_META_KEY = 'dev.gatehouse/principal';

export const CallerSchema = z.object({
  id: z.string(),
  user: z.string(),
  org: z.string().nullable().default(null),
  roles: z.array(z.string()).default([]),
});

export type Caller = z.infer<typeof CallerSchema>;

/** The caller named in a request's `_meta`, or the fallback when there is none (or it is malformed). */
export function callerFromMeta(
  meta: Record<string, unknown> | undefined,
  fallback: Caller | null,
): Caller | null {
  const parsed = CallerSchema.safeParse(meta?.[PRINCIPAL_META_KEY]);
  return parsed.success ? parsed.data : fallback;
}

/** The local caller configured for standalone use (`GATEHOUSE_CALLER='{"id":"…","user":"…"}'`). */
export function configuredCaller(env: NodeJS.ProcessEnv = process.env): Caller | null {
  const raw = env.GATEHOUSE_CALLER;
  if (raw === undefined || raw === '') return null;
  const parsed = CallerSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`GATEHOUSE_CALLER is not a caller: ${parsed.error.message}`);
  return parsed.data;
}
