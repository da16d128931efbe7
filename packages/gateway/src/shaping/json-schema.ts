/**
 * shapeSchema(): the JSON Schema a tool's shaped output satisfies, derived from the upstream's
 * outputSchema by the same steps shapeValue() takes — picked, omitted and renamed properties
 * (with `required` adjusted), `maxLength` where strings are cut, `maxItems` where arrays are
 * capped, and no `minItems` on arrays a token budget may page. Computed once per catalog build,
 * so the outputSchema in tools/list is true of every result the gateway returns.
 */
import type { PathStep, ShapingRuleModel } from '../config/model-shaping.ts';
import {
  descendElements,
  descendKey,
  descendUnlisted,
  endsHere,
  stepMatchesElements,
  stepMatchesKey,
} from './paths.ts';
import { renameSchema } from './schema-rename.ts';
import {
  inlineRefs,
  isArrayish,
  isObjectish,
  isSchemaObject,
  isStringish,
  loosenArray,
  loosenObject,
  mapBranches,
  mapChildren,
  propertiesOf,
  requiredOf,
  rewriteElements,
  rewriteMembers,
  type Schema,
  setRequired,
} from './schema-walk.ts';
import { truncateValue } from './value.ts';

type Paths = PathStep[][];

function noElements(node: Schema): void {
  node.maxItems = 0;
  delete node.minItems;
}

/** Keeps the listed properties `keep` returns a schema for; drops the others. */
function filterProperties(out: Schema, keep: (key: string, child: unknown) => unknown): void {
  const props = propertiesOf(out);
  if (props === undefined) return;
  const kept: Schema = {};
  for (const [key, child] of Object.entries(props)) {
    const next = keep(key, child);
    if (next !== undefined) kept[key] = next;
  }
  out.properties = kept;
}

function pickMembers(out: Schema, paths: Paths): void {
  loosenObject(out);
  const listed = new Set(Object.keys(propertiesOf(out) ?? {}));
  filterProperties(out, (key, child) => {
    const inner = descendKey(paths, key);
    return inner.length > 0 ? pickSchema(child, inner) : undefined;
  });
  setRequired(
    out,
    requiredOf(out).filter((r) => descendKey(paths, r).length > 0),
  );
  const rest = descendUnlisted(paths, listed);
  if (rest.length === 0) {
    out.additionalProperties = false;
    delete out.patternProperties;
  } else {
    rewriteMembers(
      out,
      (_k, child) => child,
      (child) => pickSchema(child, rest),
    );
  }
}

export function pickSchema(node: unknown, paths: Paths): unknown {
  if (!isSchemaObject(node) || endsHere(paths)) return node;
  const out: Schema = { ...node };
  mapBranches(out, (b) => pickSchema(b, paths));
  if (isObjectish(out)) pickMembers(out, paths);
  if (isArrayish(out)) {
    loosenArray(out);
    const inner = descendElements(paths);
    if (inner.length === 0) noElements(out);
    else rewriteElements(out, (child) => pickSchema(child, inner));
  }
  return out;
}

function omitMembers(out: Schema, paths: Paths): void {
  loosenObject(out);
  const listed = new Set(Object.keys(propertiesOf(out) ?? {}));
  filterProperties(out, (key, child) => {
    const inner = descendKey(paths, key);
    if (endsHere(inner)) return undefined;
    return inner.length > 0 ? omitSchema(child, inner) : child;
  });
  setRequired(
    out,
    requiredOf(out).filter((r) => !endsHere(descendKey(paths, r))),
  );
  const rest = descendUnlisted(paths, listed).filter((steps) => steps.length > 0);
  if (rest.length > 0) {
    rewriteMembers(
      out,
      (_k, child) => child,
      (child) => omitSchema(child, rest),
    );
  }
}

export function omitSchema(node: unknown, paths: Paths): unknown {
  if (!isSchemaObject(node) || paths.length === 0) return node;
  const out: Schema = { ...node };
  mapBranches(out, (b) => omitSchema(b, paths));
  if (isObjectish(out)) omitMembers(out, paths);
  const inner = isArrayish(out) ? descendElements(paths) : [];
  if (inner.length > 0) {
    loosenArray(out);
    if (endsHere(inner)) noElements(out);
    else rewriteElements(out, (child) => omitSchema(child, inner));
  }
  return out;
}

/** Every string anywhere under `node` is at most `maxChars` long. */
export function limitStrings(node: unknown, maxChars: number): unknown {
  if (!isSchemaObject(node)) return node;
  const out = mapChildren(node, (child) => limitStrings(child, maxChars));
  delete out.propertyNames; // keys are never cut; the original constraint on them still holds
  if (isSchemaObject(node.propertyNames)) out.propertyNames = node.propertyNames;
  for (const key of [
    'not',
    'if',
    'then',
    'else',
    'dependentSchemas',
    'uniqueItems',
    'contains',
    'minContains',
  ])
    delete out[key];
  if ('enum' in out && Array.isArray(out.enum)) {
    const cut = out.enum.map((v) => truncateValue(v, { maxChars, paths: null }).value);
    out.enum = [...new Map(cut.map((v) => [JSON.stringify(v), v])).values()];
  }
  if ('const' in out) out.const = truncateValue(out.const, { maxChars, paths: null }).value;
  if (isStringish(out)) {
    const max = typeof out.maxLength === 'number' ? Math.min(out.maxLength, maxChars) : maxChars;
    out.maxLength = max;
    if (typeof out.minLength === 'number' && out.minLength > max) out.minLength = max;
    delete out.pattern;
    delete out.format;
  }
  return out;
}

export function truncateSchema(node: unknown, paths: Paths, maxChars: number): unknown {
  if (!isSchemaObject(node) || paths.length === 0) return node;
  if (endsHere(paths)) return limitStrings(node, maxChars);
  const out: Schema = { ...node };
  for (const key of ['not', 'if', 'then', 'else', 'enum', 'const']) delete out[key];
  mapBranches(out, (b) => truncateSchema(b, paths, maxChars));
  if (isObjectish(out)) {
    const listed = new Set(Object.keys(propertiesOf(out) ?? {}));
    const rest = descendUnlisted(paths, listed);
    rewriteMembers(
      out,
      (key, child) => truncateSchema(child, descendKey(paths, key), maxChars),
      (child) => truncateSchema(child, rest, maxChars),
    );
  }
  if (isArrayish(out)) {
    const inner = descendElements(paths);
    if (inner.length > 0) {
      delete out.uniqueItems;
      rewriteElements(out, (child) => truncateSchema(child, inner, maxChars));
    }
  }
  return out;
}

export interface CapSteps {
  steps: PathStep[];
  maxItems: number;
}

function descendCaps(caps: readonly CapSteps[], match: (step: PathStep) => boolean): CapSteps[] {
  return caps.flatMap((c) => {
    const first = c.steps[0];
    return first !== undefined && match(first) ? [{ steps: c.steps.slice(1), maxItems: c.maxItems }] : [];
  });
}

export function capSchema(node: unknown, caps: readonly CapSteps[], global: number | null): unknown {
  if (!isSchemaObject(node) || (caps.length === 0 && global === null)) return node;
  const out: Schema = { ...node };
  mapBranches(out, (b) => capSchema(b, caps, global));
  if (isArrayish(out)) {
    const named = caps.filter((c) => c.steps.length === 0).map((c) => c.maxItems);
    const limit = named.length > 0 ? Math.min(...named) : global;
    if (limit !== null) {
      out.maxItems = typeof out.maxItems === 'number' ? Math.min(out.maxItems, limit) : limit;
      if (typeof out.minItems === 'number' && out.minItems > limit) out.minItems = limit;
      loosenArray(out);
    }
    const inner = descendCaps(caps, stepMatchesElements);
    rewriteElements(out, (child) => capSchema(child, inner, global));
  }
  if (isObjectish(out)) {
    const listed = new Set(Object.keys(propertiesOf(out) ?? {}));
    const unlisted = caps.filter((c) => {
      const first = c.steps[0];
      return (
        first !== undefined && first.kind !== 'each' && !(first.kind === 'key' && listed.has(first.name))
      );
    });
    rewriteMembers(
      out,
      (key, child) =>
        capSchema(
          child,
          descendCaps(caps, (s) => stepMatchesKey(s, key)),
          global,
        ),
      (child) =>
        capSchema(
          child,
          descendCaps(unlisted, () => true),
          global,
        ),
    );
  }
  return out;
}

/**
 * A token budget pages the arrays that are not inside another array: later pages leave the
 * others empty, so none of them may require elements.
 */
export function pageableSchema(node: unknown): unknown {
  if (!isSchemaObject(node)) return node;
  const out: Schema = { ...node };
  mapBranches(out, pageableSchema);
  if (isArrayish(out)) {
    delete out.minItems;
    loosenArray(out);
  }
  if (isObjectish(out)) rewriteMembers(out, (_k, child) => pageableSchema(child), pageableSchema);
  return out;
}

/** The schema of what shapeValue() (and, with a budget, every page) returns. */
export function shapeSchema(schema: Schema, rule: ShapingRuleModel): Schema {
  let out: unknown = inlineRefs(schema);
  if (rule.pick !== null)
    out = pickSchema(
      out,
      rule.pick.map((p) => p.steps),
    );
  if (rule.omit.length > 0)
    out = omitSchema(
      out,
      rule.omit.map((p) => p.steps),
    );
  if (rule.rename.length > 0) {
    out = renameSchema(
      out,
      rule.rename.map((r) => ({ steps: r.path.steps, to: r.to })),
    );
  }
  if (rule.truncate !== null) {
    const paths = rule.truncate.paths === null ? [[]] : rule.truncate.paths.map((p) => p.steps);
    out = truncateSchema(out, paths, rule.truncate.maxChars);
  }
  if (rule.maxItems !== null || rule.arrays.length > 0) {
    out = capSchema(
      out,
      rule.arrays.map((a) => ({ steps: a.path.steps, maxItems: a.maxItems })),
      rule.maxItems,
    );
  }
  if (rule.tokenBudget !== null) out = pageableSchema(out);
  return out as Schema;
}
