/**
 * The searchable words of a tool's input schema: its parameters' names and their descriptions
 * (titles and string enum values count as descriptions), nested properties included. The walk is
 * bounded in depth and in how much it collects, so a huge or cyclic-looking schema (a definition
 * from an untrusted server) costs the index a fixed amount at most.
 */

/** How deep nested objects are followed: a parameter of a parameter of a parameter. */
const MAX_DEPTH = 4;
/** At most this many schema nodes are visited per tool. */
const MAX_NODES = 200;
/** At most this many characters of parameter text are kept per tool. */
const MAX_TEXT_CHARS = 4_000;

export interface SchemaText {
  names: string[];
  descriptions: string[];
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keywords whose value is a map from property names to subschemas. */
const PROPERTY_MAPS = ['properties', 'patternProperties'] as const;
/** Keywords whose value is one subschema or a list of them describing the same parameter. */
const SAME_PARAMETER = ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;

function subschemas(value: unknown): Node[] {
  if (Array.isArray(value)) return value.filter(isNode);
  return isNode(value) ? [value] : [];
}

/** Collects names and descriptions until one of its bounds is reached. */
class Collector {
  readonly names: string[] = [];
  readonly descriptions: string[] = [];
  private nodes = 0;
  private chars = 0;

  get full(): boolean {
    return this.nodes >= MAX_NODES || this.chars >= MAX_TEXT_CHARS;
  }

  /** Counts one visited node; false once the node budget is spent. */
  enter(): boolean {
    if (this.nodes >= MAX_NODES) return false;
    this.nodes += 1;
    return true;
  }

  name(name: string): void {
    if (this.chars >= MAX_TEXT_CHARS) return;
    this.chars += name.length;
    this.names.push(name);
  }

  text(text: unknown): void {
    if (typeof text !== 'string' || this.chars >= MAX_TEXT_CHARS) return;
    const kept = text.slice(0, MAX_TEXT_CHARS - this.chars);
    this.chars += kept.length;
    this.descriptions.push(kept);
  }

  /** A parameter's own words: its title, description and (the first few) string enum values. */
  describe(node: Node): void {
    this.text(node.title);
    this.text(node.description);
    if (Array.isArray(node.enum)) for (const value of node.enum.slice(0, 20)) this.text(value);
  }
}

function visitProperties(node: Node, depth: number, into: Collector): void {
  for (const key of PROPERTY_MAPS) {
    const map = node[key];
    if (!isNode(map)) continue;
    for (const [name, child] of Object.entries(map)) {
      if (into.full) return;
      if (key === 'properties') into.name(name);
      if (!isNode(child)) continue;
      into.describe(child);
      visit(child, depth + 1, into);
    }
  }
}

function visit(node: Node, depth: number, into: Collector): void {
  if (depth > MAX_DEPTH || !into.enter()) return;
  visitProperties(node, depth, into);
  for (const key of SAME_PARAMETER) {
    for (const child of subschemas(node[key])) {
      // The root's own branches describe the whole tool, not a parameter: their words are not kept.
      if (depth > 0) into.describe(child);
      visit(child, depth + 1, into);
    }
  }
}

export function schemaText(schema: Record<string, unknown> | undefined): SchemaText {
  const into = new Collector();
  if (isNode(schema)) visit(schema, 0, into);
  return { names: into.names, descriptions: into.descriptions };
}
