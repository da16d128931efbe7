/**
 * Helpers for rewriting JSON Schemas (draft 2020-12, and the draft-07 spellings tools still
 * use): which keywords hold subschemas, whether a node can describe an object or an array, local
 * `$ref`s inlined, and the keywords a rewrite can no longer vouch for. The rule throughout: when a
 * rewrite cannot say precisely what the shaped value satisfies, it widens the schema (drops a
 * constraint) — a wider schema is still true of every shaped value.
 */

export type Schema = Record<string, unknown>;

export function isSchemaObject(node: unknown): node is Schema {
  return node !== null && typeof node === 'object' && !Array.isArray(node);
}

const SINGLE = [
  'additionalProperties',
  'items',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
] as const;
const LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;

/** A copy of `node` with `fn` applied to every direct subschema. */
export function mapChildren(node: Schema, fn: (child: unknown) => unknown): Schema {
  const out: Schema = { ...node };
  for (const key of SINGLE) if (key in out) out[key] = fn(out[key]);
  for (const key of LISTS) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map(fn);
  }
  // draft-07 tuple form: items is a list of schemas.
  if (Array.isArray(node.items)) out.items = node.items.map(fn);
  for (const key of MAPS) {
    const map = out[key];
    if (isSchemaObject(map)) {
      const next: Schema = {};
      for (const [name, child] of Object.entries(map)) next[name] = fn(child);
      out[key] = next;
    }
  }
  return out;
}

function types(node: Schema): string[] | undefined {
  const type = node.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? (type as string[]) : undefined;
}

/** Could this node describe an object (and carries object keywords worth rewriting)? */
export function isObjectish(node: Schema): boolean {
  const t = types(node);
  if (t !== undefined) return t.includes('object');
  return 'properties' in node || 'additionalProperties' in node || 'patternProperties' in node;
}

export function isArrayish(node: Schema): boolean {
  const t = types(node);
  if (t !== undefined) return t.includes('array');
  return 'items' in node || 'prefixItems' in node;
}

/** Could this node describe a string (an untyped node could, unless it is plainly something else)? */
export function isStringish(node: Schema): boolean {
  const t = types(node);
  if (t !== undefined) return t.includes('string');
  const composite = 'anyOf' in node || 'oneOf' in node || 'allOf' in node;
  return !composite && !isObjectish(node) && !isArrayish(node);
}

/** Applies `fn` to each branch of anyOf / oneOf / allOf, in place on a fresh copy. */
export function mapBranches(node: Schema, fn: (branch: unknown) => unknown): void {
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) node[key] = list.map(fn);
  }
}

const CONDITIONAL = ['not', 'if', 'then', 'else', 'enum', 'const'] as const;

/** Object keywords a change of keys can break. */
export function loosenObject(node: Schema): void {
  for (const key of CONDITIONAL) delete node[key];
  for (const key of [
    'minProperties',
    'dependentRequired',
    'dependencies',
    'dependentSchemas',
    'propertyNames',
    'unevaluatedProperties',
  ]) {
    delete node[key];
  }
}

/** Array keywords a change of elements can break. */
export function loosenArray(node: Schema): void {
  for (const key of CONDITIONAL) delete node[key];
  for (const key of ['contains', 'minContains', 'maxContains', 'unevaluatedItems']) delete node[key];
}

/** The properties map of a node (a fresh copy), or undefined when it lists none. */
export function propertiesOf(node: Schema): Record<string, unknown> | undefined {
  return isSchemaObject(node.properties) ? { ...node.properties } : undefined;
}

export function requiredOf(node: Schema): string[] {
  return Array.isArray(node.required)
    ? (node.required as unknown[]).filter((r) => typeof r === 'string')
    : [];
}

export function setRequired(node: Schema, required: readonly string[]): void {
  if (required.length === 0) delete node.required;
  else node.required = [...new Set(required)];
}

function resolvePointer(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#/')) return ref === '#' ? root : undefined;
  let current: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isSchemaObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The schema with every local `$ref` replaced by what it points at, so rewrites see plain
 * subschemas. A recursive or non-local reference becomes `{}` (anything), which only widens.
 */
export function inlineRefs(root: Schema): Schema {
  if (!JSON.stringify(root).includes('"$ref"')) return root;
  const inline = (node: unknown, stack: readonly string[]): unknown => {
    if (!isSchemaObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref !== 'string') return mapChildren(node, (child) => inline(child, stack));
    const { $ref: _, ...siblings } = node;
    const target = stack.includes(ref) ? undefined : resolvePointer(root, ref);
    const resolved = target === undefined ? {} : inline(target, [...stack, ref]);
    const rest = mapChildren(siblings, (child) => inline(child, stack));
    if (Object.keys(rest).length === 0) return resolved;
    const allOf = Array.isArray(rest.allOf) ? rest.allOf : [];
    return { ...rest, allOf: [...allOf, resolved] };
  };
  const out = inline(root, []) as Schema;
  delete out.$defs;
  delete out.definitions;
  return out;
}

/** Rewrites a node's listed properties and whatever its additional/pattern properties allow. */
export function rewriteMembers(
  node: Schema,
  listed: (key: string, child: unknown) => unknown,
  unlisted: (child: unknown) => unknown,
): void {
  const props = propertiesOf(node);
  if (props !== undefined) {
    for (const [key, child] of Object.entries(props)) props[key] = listed(key, child);
    node.properties = props;
  }
  if (isSchemaObject(node.additionalProperties))
    node.additionalProperties = unlisted(node.additionalProperties);
  if (isSchemaObject(node.patternProperties)) {
    const next: Schema = {};
    for (const [pattern, child] of Object.entries(node.patternProperties)) next[pattern] = unlisted(child);
    node.patternProperties = next;
  }
}

export function rewriteElements(node: Schema, fn: (child: unknown) => unknown): void {
  if (isSchemaObject(node.items)) node.items = fn(node.items);
  else if (Array.isArray(node.items)) node.items = node.items.map(fn);
  if (Array.isArray(node.prefixItems)) node.prefixItems = node.prefixItems.map(fn);
  if (isSchemaObject(node.additionalItems)) node.additionalItems = fn(node.additionalItems);
}
