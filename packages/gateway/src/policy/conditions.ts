/**
 * Conditions on arguments, as written in policy rules: `region in ["eu", "uk"]`,
 * `amount <= 1000`, `customer.tier == "enterprise"`, `email matches "@acme\\.com$"`.
 * Parsed once when the config loads (config/conditions.ts; errors name the text); evaluated here
 * by the pure decision function. A condition on an argument that is missing or of the wrong type
 * does not hold — conditions fail closed.
 */
import type { ConditionModel } from '../config/model-access.ts';

function valueAt(args: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = args;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

const regexCache = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let compiled = regexCache.get(source);
  if (!compiled) {
    compiled = new RegExp(source, 'u');
    regexCache.set(source, compiled);
  }
  return compiled;
}

/** Does the condition hold for these arguments? */
export function holds(condition: ConditionModel, args: Record<string, unknown>): boolean {
  const actual = valueAt(args, condition.path);
  if (actual === undefined) return false;
  const expected = condition.value;
  switch (condition.op) {
    case '==':
      return isScalar(actual) && actual === expected;
    case '!=':
      return isScalar(actual) && actual !== expected;
    case '<':
      return typeof actual === 'number' && actual < (expected as number);
    case '<=':
      return typeof actual === 'number' && actual <= (expected as number);
    case '>':
      return typeof actual === 'number' && actual > (expected as number);
    case '>=':
      return typeof actual === 'number' && actual >= (expected as number);
    case 'in':
      return isScalar(actual) && (expected as unknown[]).includes(actual);
    case 'not in':
      return isScalar(actual) && !(expected as unknown[]).includes(actual);
    case 'matches':
      return typeof actual === 'string' && regex(expected as string).test(actual);
  }
}
