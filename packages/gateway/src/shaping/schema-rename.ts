/**
 * The rename step of shapeSchema(): properties renamed where renameValue() renames keys, with
 * `required` following them. A renamed key replaces a property of the same name — always when
 * the renamed one is required, else the result may be either (anyOf).
 */
import type { PathStep } from '../config/model-shaping.ts';
import { stepMatchesElements, stepMatchesKey } from './paths.ts';
import {
  isArrayish,
  isObjectish,
  isSchemaObject,
  loosenArray,
  loosenObject,
  mapBranches,
  propertiesOf,
  requiredOf,
  rewriteElements,
  rewriteMembers,
  type Schema,
  setRequired,
} from './schema-walk.ts';

export interface RenameSteps {
  steps: PathStep[];
  to: string;
}

/** Renames that continue past a step `match` accepts, with that step taken off. */
function descendRenames(renames: readonly RenameSteps[], match: (step: PathStep) => boolean): RenameSteps[] {
  const out: RenameSteps[] = [];
  for (const r of renames) {
    const first = r.steps[0];
    if (first !== undefined && r.steps.length > 1 && match(first)) {
      out.push({ steps: r.steps.slice(1), to: r.to });
    }
  }
  return out;
}

/** Old key → new key, for the renames that end at this object. */
function finalsOf(renames: readonly RenameSteps[]): Map<string, string> {
  const finals = new Map<string, string>();
  for (const r of renames) {
    const only = r.steps[0];
    if (r.steps.length === 1 && only?.kind === 'key') finals.set(only.name, r.to);
  }
  return finals;
}

/**
 * The schema under a new key: the renamed property's, or — when that one is optional and
 * replaces a property of the same name — either of the two.
 */
function renamedSchema(renamed: unknown, always: boolean, replacing: unknown): unknown {
  return replacing === undefined || always ? renamed : { anyOf: [renamed, replacing] };
}

function renameProperties(out: Schema, renames: readonly RenameSteps[]): void {
  const finals = finalsOf(renames);
  const required = new Set(requiredOf(out));
  const props = propertiesOf(out) ?? {};
  const next: Schema = {};
  const nextRequired = new Set<string>();
  const deeperAt = (key: string) => descendRenames(renames, (s) => stepMatchesKey(s, key));
  // Keys replaced by a listed renamed key: their schema joins the renamed one, in its place.
  const replaced = new Set(
    [...finals].filter(([from, to]) => from in props && !finals.has(to)).map(([, to]) => to),
  );
  for (const [key, child] of Object.entries(props)) {
    const to = finals.get(key);
    if (to === undefined) {
      if (replaced.has(key)) continue;
      next[key] = renameSchema(child, deeperAt(key));
      if (required.has(key)) nextRequired.add(key);
      continue;
    }
    const replacing = replaced.has(to) ? renameSchema(props[to], deeperAt(to)) : undefined;
    next[to] = renamedSchema(renameSchema(child, deeperAt(key)), required.has(key), replacing);
    if (required.has(key) || required.has(to)) nextRequired.add(to);
  }
  keepUnlisted(next, nextRequired, finals, props, required);
  if (Object.keys(props).length > 0 || finals.size > 0) out.properties = next;
  setRequired(out, [...nextRequired]);
  renameUnlisted(out, renames, new Set(Object.keys(props)));
}

/**
 * Keys the schema does not list but additionalProperties may allow: renamed ones may arrive
 * under their new name (anything goes), required ones stay required.
 */
function keepUnlisted(
  next: Schema,
  nextRequired: Set<string>,
  finals: ReadonlyMap<string, string>,
  props: Schema,
  required: ReadonlySet<string>,
): void {
  for (const [from, to] of finals) if (!(from in props)) next[to] = {};
  for (const r of required) if (!(r in props)) nextRequired.add(finals.get(r) ?? r);
}

/** Renames inside values that additionalProperties / patternProperties allow. */
function renameUnlisted(out: Schema, renames: readonly RenameSteps[], listed: ReadonlySet<string>): void {
  const rest = descendRenames(
    renames,
    (s) => s.kind === 'glob' || s.kind === 'any' || (s.kind === 'key' && !listed.has(s.name)),
  );
  if (rest.length === 0) return;
  rewriteMembers(
    out,
    (_k, child) => child,
    (child) => renameSchema(child, rest),
  );
}

export function renameSchema(node: unknown, renames: readonly RenameSteps[]): unknown {
  if (!isSchemaObject(node) || renames.length === 0) return node;
  const out: Schema = { ...node };
  mapBranches(out, (b) => renameSchema(b, renames));
  if (isObjectish(out)) {
    loosenObject(out);
    renameProperties(out, renames);
  }
  if (isArrayish(out)) {
    const inner = descendRenames(renames, stepMatchesElements);
    if (inner.length > 0) {
      loosenArray(out);
      rewriteElements(out, (child) => renameSchema(child, inner));
    }
  }
  return out;
}
