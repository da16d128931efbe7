/**
 * The redactor: a pure function that returns a redacted deep copy of any value before it is
 * written to the audit log. It never mutates its input and never throws.
 *
 * Rules, in the order they apply:
 * - an object key that looks secret (password, token, api_key, authorization, cookie, session…)
 *   or matches a configured field (a key name, or a dot path such as `customer.ssn`) has its
 *   whole value replaced: `[REDACTED:secret]` / `[REDACTED:field]`;
 * - inside every string, secrets (PEM private keys, JWTs, `Bearer …`, `sk-…`-style keys, AWS
 *   access key ids, credentials in URLs and `password=…` pairs, long high-entropy hex/base64
 *   tokens) become `[REDACTED:secret]`, then email addresses, Luhn-valid card numbers and US
 *   SSNs become `[REDACTED:email]`, `[REDACTED:card]`, `[REDACTED:ssn]`, then each configured
 *   pattern becomes `[REDACTED:<name>]` — always in place, so the rest of the string survives.
 * The copy is JSON-shaped: bigints become strings, functions and symbols are dropped, a `toJSON`
 * method is honoured; cycles become `[REDACTED:cycle]` and nesting past 32 levels
 * `[REDACTED:depth]`.
 */

export interface RedactionPattern {
  name: string;
  /** A JavaScript regular expression source, applied globally. */
  regex: string;
}

export interface RedactorOptions {
  /** Key names (any depth, case-insensitive) or dot paths matched against the end of a key path. */
  fields: string[];
  patterns: RedactionPattern[];
}

export type Redactor = (value: unknown) => unknown;

export const MAX_REDACTION_DEPTH = 32;

export function redacted(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/** Key words that mark a secret only as a whole word of the key (`max_tokens` is not a token). */
const SECRET_KEY_WORDS = new Set([
  'pwd',
  'pass',
  'passphrase',
  'token',
  'auth',
  'session',
  'sessionid',
  'sid',
  'jwt',
  'bearer',
  'otp',
  'pin',
  'cvv',
  'cvc',
  'signature',
]);
/** Fragments that mark a secret wherever they appear in the key, once `_`, `-` and case are gone. */
const SECRET_KEY_FRAGMENTS = [
  'password',
  'passwd',
  'secret',
  'apikey',
  'accesskey',
  'privatekey',
  'secretkey',
  'signingkey',
  'encryptionkey',
  'authorization',
  'cookie',
  'credential',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'sessiontoken',
  'sessionid',
  'sessionkey',
  'clientsecret',
];

/** Splits `xApiKey`, `x-api-key`, `X_API_KEY` into `['x', 'api', 'key']`. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const compact = words.join('');
  if (SECRET_KEY_FRAGMENTS.some((fragment) => compact.includes(fragment))) return true;
  return words.some((word) => SECRET_KEY_WORDS.has(word));
}

interface StringRule {
  kind: string;
  regex: RegExp;
  /** Returns the replacement, or null to keep the match (a check the regex cannot express). */
  replace: (match: string, ...groups: string[]) => string | null;
}

const always = (kind: string) => (): string => redacted(kind);

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A run of 32+ token characters that is random enough to be a key rather than a word or an id. */
export function looksHighEntropy(token: string): boolean {
  if (token.length < 32) return false;
  const hasDigit = /[0-9]/.test(token);
  if (/^[0-9a-f]+$/i.test(token)) return hasDigit && /[a-f]/i.test(token) && shannonEntropy(token) >= 3;
  return hasDigit && /[a-z]/.test(token) && /[A-Z]/.test(token) && shannonEntropy(token) >= 4;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function redactCard(match: string): string | null {
  const digits = match.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return null;
  return passesLuhn(digits) ? redacted('card') : null;
}

function redactSsn(_match: string, area: string, group: string, serial: string): string | null {
  const invalid =
    area === '000' || area === '666' || area.startsWith('9') || group === '00' || serial === '0000';
  return invalid ? null : redacted('ssn');
}

const SECRET_RULES: StringRule[] = [
  {
    kind: 'secret',
    regex:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: always('secret'),
  },
  { kind: 'secret', regex: /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, replace: always('secret') },
  { kind: 'secret', regex: /\bBearer\s+[\w~+/.-]{8,}=*/gi, replace: always('secret') },
  { kind: 'secret', regex: /\bBasic\s+[A-Za-z0-9+/]{8,}={0,2}/g, replace: always('secret') },
  {
    kind: 'secret',
    // sk-…, sk-proj-…, sk_live_…, rk_test_…: real keys always carry a digit somewhere.
    regex: /\b(?:sk|rk)[-_](?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,}/g,
    replace: always('secret'),
  },
  {
    kind: 'secret',
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{10,})/g,
    replace: always('secret'),
  },
  { kind: 'secret', regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g, replace: always('secret') },
  {
    // Credentials in a URL: scheme://user:password@host keeps the user, hides the password.
    kind: 'secret',
    regex: /(\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi,
    replace: (_match, head = '', _password, at = '') => `${head}${redacted('secret')}${at}`,
  },
  {
    // `password=…`, `api_key: …` and the like inside free text (logs, error messages, queries).
    kind: 'secret',
    regex:
      /(\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|auth)\b["']?\s*[=:]\s*["']?)([^\s"'&,;]{3,})/gi,
    replace: (_match, head = '') => `${head}${redacted('secret')}`,
  },
  {
    kind: 'secret',
    regex: /[A-Za-z0-9+/_=-]{32,}/g,
    replace: (match) => (looksHighEntropy(match.replace(/=+$/, '')) ? redacted('secret') : null),
  },
];

const PII_RULES: StringRule[] = [
  {
    kind: 'email',
    // Bounded repetitions keep this linear on long strings without an `@`.
    regex: /[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b/g,
    replace: always('email'),
  },
  { kind: 'card', regex: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, replace: redactCard },
  { kind: 'ssn', regex: /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/g, replace: redactSsn },
];

function applyRules(text: string, rules: readonly StringRule[]): string {
  let result = text;
  for (const rule of rules) {
    rule.regex.lastIndex = 0;
    result = result.replace(rule.regex, (match: string, ...rest: unknown[]) => {
      // The capture groups come before the match offset (the first number among the arguments).
      const groups = rest.slice(
        0,
        rest.findIndex((part) => typeof part === 'number'),
      );
      return rule.replace(match, ...groups.map((group) => (typeof group === 'string' ? group : ''))) ?? match;
    });
  }
  return result;
}

function compilePatterns(patterns: readonly RedactionPattern[]): StringRule[] {
  return patterns.map(({ name, regex }) => {
    if (!/^[\w.:-]+$/.test(name))
      throw new Error(`redaction pattern name ${JSON.stringify(name)} is invalid`);
    let compiled: RegExp;
    try {
      compiled = new RegExp(regex, 'g');
    } catch (error) {
      throw new Error(`redaction pattern ${name}: ${(error as Error).message}`);
    }
    if (compiled.test('')) throw new Error(`redaction pattern ${name} matches the empty string`);
    return { kind: name, regex: compiled, replace: always(name) };
  });
}

interface FieldMatcher {
  names: Set<string>;
  /** Dot paths, split and lower-cased; `*` matches any one key. */
  paths: string[][];
}

function compileFields(fields: readonly string[]): FieldMatcher {
  const matcher: FieldMatcher = { names: new Set(), paths: [] };
  for (const field of fields) {
    const segments = field.toLowerCase().split('.');
    if (segments.some((segment) => segment === '')) throw new Error(`redaction field "${field}" is invalid`);
    if (segments.length === 1) matcher.names.add(field.toLowerCase());
    else matcher.paths.push(segments);
  }
  return matcher;
}

/** Array indices are not part of a key path: `items.card` matches `items[3].card`. */
function matchesField(matcher: FieldMatcher, keyPath: readonly string[]): boolean {
  const last = keyPath[keyPath.length - 1];
  if (last !== undefined && matcher.names.has(last)) return true;
  return matcher.paths.some(
    (path) =>
      path.length <= keyPath.length &&
      path.every((segment, i) => segment === '*' || segment === keyPath[keyPath.length - path.length + i]),
  );
}

/** Lone surrogates and NUL cannot be stored everywhere (PostgreSQL's JSONB refuses both). */
export function storableText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** Plain assignment, except that a `__proto__` key stays data instead of becoming the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

interface RedactionContext {
  fields: FieldMatcher;
  redactString: (text: string) => string;
  /** The objects being copied above the current value: a cycle leads back to one of them. */
  ancestors: Set<object>;
}

function copyValue(context: RedactionContext, value: unknown, keyPath: string[]): unknown {
  if (typeof value === 'string') return context.redactString(value);
  if (typeof value === 'bigint') return context.redactString(value.toString());
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined; // functions, symbols, undefined: as JSON drops them
  if (context.ancestors.has(value)) return redacted('cycle');
  if (context.ancestors.size >= MAX_REDACTION_DEPTH) return redacted('depth');
  context.ancestors.add(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      if (json !== value) return copyValue(context, json, keyPath);
    }
    if (Array.isArray(value)) return value.map((item) => copyValue(context, item, keyPath) ?? null);
    return copyObject(context, value, keyPath);
  } catch {
    // A throwing getter, toJSON or proxy: hide the whole value rather than fail the audit write.
    return redacted('unserializable');
  } finally {
    context.ancestors.delete(value);
  }
}

function copyObject(context: RedactionContext, value: object, keyPath: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const childPath = [...keyPath, key.toLowerCase()];
    const outKey = storableText(key);
    if (matchesField(context.fields, childPath)) setOwn(result, outKey, redacted('field'));
    else if (isSecretKey(key) && item !== null && item !== undefined)
      setOwn(result, outKey, redacted('secret'));
    else {
      const copied = copyValue(context, item, childPath);
      if (copied !== undefined) setOwn(result, outKey, copied);
    }
  }
  return result;
}

/** Builds a redactor; throws when a configured field or pattern is invalid. */
export function createRedactor(options: RedactorOptions): Redactor {
  const fields = compileFields(options.fields);
  const stringRules = [...SECRET_RULES, ...PII_RULES, ...compilePatterns(options.patterns)];
  const redactString = (text: string): string => applyRules(storableText(text), stringRules);
  return (value) => copyValue({ fields, redactString, ancestors: new Set() }, value, []);
}
