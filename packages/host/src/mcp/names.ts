/**
 * The names a model sees. Model APIs accept tool names of 1–64 characters from `[A-Za-z0-9_-]`
 * (Anthropic and OpenAI alike), so every name in the registry is made to fit, deterministically:
 *
 * 1. The registry name is `<server>__<tool>` when the host talks to several servers, or the tool's
 *    own name when it talks to one gateway (the gateway already prefixes its upstreams).
 * 2. Every character outside `[A-Za-z0-9_-]` becomes `_` (`files.read` → `files_read`).
 * 3. A name longer than 64 characters keeps its first 55 and ends in `_` plus 8 hex characters of
 *    the SHA-256 of the unshortened name, so two long names stay apart.
 * 4. When two tools end up with the same name, the first keeps it and the others get `_2`, `_3`, …
 *    (shortened first if need be). Servers are taken in the order of the servers file and tools
 *    in the order their server lists them, so the same catalog always gives the same names.
 */
import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME = 64;
const VALID = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidToolName(name: string): boolean {
  return VALID.test(name);
}

function shorten(name: string, room = MAX_TOOL_NAME): string {
  if (name.length <= room) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, room - 9)}_${hash}`;
}

/** Steps 2–3: a name the model APIs accept. */
export function sanitizeName(name: string): string {
  const replaced = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return shorten(replaced === '' ? '_' : replaced);
}

/** The wanted registry name of a server's tool (steps 1–3). */
export function wantedName(server: string, tool: string, prefixed: boolean): string {
  return sanitizeName(prefixed ? `${server}__${tool}` : tool);
}

/**
 * Assigns unique names to `wanted` (in order), step 4: each name's first occurrence keeps it;
 * later occurrences get the first free numeric suffix.
 */
export function assignNames(wanted: readonly string[]): string[] {
  const taken = new Set<string>();
  const result: (string | undefined)[] = wanted.map(() => undefined);
  wanted.forEach((name, i) => {
    if (!taken.has(name)) {
      taken.add(name);
      result[i] = name;
    }
  });
  return result.map((assigned, i) => {
    if (assigned !== undefined) return assigned;
    const base = wanted[i] as string;
    for (let n = 2; ; n++) {
      const suffix = `_${n}`;
      const candidate = `${shorten(base, MAX_TOOL_NAME - suffix.length)}${suffix}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  });
}
