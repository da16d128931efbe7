/**
 * `${VAR}` interpolation from the environment, applied to string values after YAML parsing (so a
 * value can never change the document's structure). `${VAR:-default}` supplies a default;
 * `${VAR:+word}` is `word` when VAR is set and not empty, else empty (as in the shell: e.g.
 * `enabled: ${UPSTREAM_URL:+true}`); `$${` is a literal `${`.
 */

export interface MissingVariable {
  path: (string | number)[];
  variable: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}/g;

export function interpolateString(
  value: string,
  env: Record<string, string | undefined>,
  onMissing: (variable: string) => void,
): string {
  return value.replace(
    REFERENCE,
    (match, name: string | undefined, operator: string | undefined, word: string | undefined) => {
      if (match === '$${') return '${';
      const found = name === undefined ? undefined : env[name];
      const set = found !== undefined && found !== '';
      if (operator === '+') return set ? (word ?? '') : '';
      if (set) return found;
      if (word !== undefined) return word;
      onMissing(name ?? '');
      return '';
    },
  );
}

/** Returns a deep copy of `value` with every string interpolated; reports each missing variable. */
export function interpolate(
  value: unknown,
  env: Record<string, string | undefined>,
  missing: MissingVariable[] = [],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return interpolateString(value, env, (variable) => missing.push({ path, variable }));
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, missing, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing, [...path, k])]),
    );
  }
  return value;
}
