/**
 * Conditions on arguments, as written in policy rules: `region in ["eu", "uk"]`,
 * `amount <= 1000`, `customer.tier == "enterprise"`, `email matches "@acme\\.com$"`.
 * Parsed once when the config loads (normalize-access.ts; errors name the text) into the
 * ConditionModel that policy/conditions.ts evaluates.
 */
import type { ConditionModel, ConditionOp } from './model-access.ts';

const PATTERN =
  /^\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s+(==|!=|<=|>=|<|>|not\s+in|in|matches)\s+(.+?)\s*$/;

export type ParsedCondition = { ok: true; condition: ConditionModel } | { ok: false; message: string };

export function parseCondition(source: string): ParsedCondition {
  const match = PATTERN.exec(source);
  if (!match) {
    return {
      ok: false,
      message: `cannot read condition "${source}": expected <argument> <op> <JSON value>, op one of == != < <= > >= in "not in" matches`,
    };
  }
  const [, path = '', rawOp = '', literal = ''] = match;
  const op = rawOp.replace(/\s+/, ' ') as ConditionOp;
  let value: unknown;
  try {
    value = JSON.parse(literal);
  } catch {
    return {
      ok: false,
      message: `condition "${source}": ${literal} is not a JSON value (strings need double quotes)`,
    };
  }
  if ((op === 'in' || op === 'not in') && !Array.isArray(value)) {
    return { ok: false, message: `condition "${source}": "${op}" needs a JSON array` };
  }
  if (['<', '<=', '>', '>='].includes(op) && typeof value !== 'number') {
    return { ok: false, message: `condition "${source}": "${op}" needs a number` };
  }
  if (op === 'matches') {
    if (typeof value !== 'string')
      return { ok: false, message: `condition "${source}": "matches" needs a string` };
    try {
      new RegExp(value, 'u');
    } catch (error) {
      return {
        ok: false,
        message: `condition "${source}": bad regular expression (${(error as Error).message})`,
      };
    }
  }
  return { ok: true, condition: { path: path.split('.'), op, value, source: source.trim() } };
}
