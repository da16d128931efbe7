/**
 * Whether a call's arguments fit the tool's input schema, asked before a human is asked to
 * approve it: an approval for a call that cannot run wastes the approver's time and is spent by
 * a call that then fails. Validated with the SDK's JSON Schema validator (ajv), compiled once per
 * schema object (catalog entries are replaced, not changed, when a tool's definition changes).
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';

type Check = (input: unknown) => { valid: boolean; errorMessage?: string | undefined };

const validator = new AjvJsonSchemaValidator();
const compiled = new WeakMap<object, Check | null>();

function checkFor(schema: object): Check | null {
  if (compiled.has(schema)) return compiled.get(schema) ?? null;
  let check: Check | null;
  try {
    check = validator.getValidator(schema as never) as Check;
  } catch {
    // A schema the validator cannot compile (an unknown dialect): the upstream judges the call.
    check = null;
  }
  compiled.set(schema, check);
  return check;
}

/** What is wrong with `args` for a tool with `inputSchema`, or null when they fit (or cannot be checked). */
export function argumentProblem(inputSchema: unknown, args: unknown): string | null {
  if (inputSchema === null || typeof inputSchema !== 'object') return null;
  const check = checkFor(inputSchema);
  if (check === null) return null;
  const result = check(args ?? {});
  if (result.valid) return null;
  // ajv names the value "data": the caller knows it as the arguments.
  return (result.errorMessage ?? 'the arguments do not match the input schema')
    .replace(/\bdata\//g, '')
    .replace(/\bdata\b/g, 'arguments');
}
