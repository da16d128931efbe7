/**
 * Shaping paths: the dotted addresses a shaping rule uses to name parts of a tool result, e.g.
 * `deal.properties.amount`, `tickets[].subject`, `properties.hs_*`, `contacts.*.email`.
 *
 * - a segment is a key; `*` and `?` inside it make it a glob over the keys of an object;
 * - a segment that is just `*` is any key of an object, or any element of an array;
 * - `[]` after a segment (or as the whole first segment) steps into every element of an array.
 *
 * Keys containing `.`, `[` or `]` cannot be named. Parsing belongs to the config
 * (config/shaping-paths.ts); matching walks one step at a time, so every shaping operation carries
 * the remaining steps of the paths that are still live.
 */
import type { PathStep } from '../config/model-shaping.ts';
import { globMatch } from '../policy/glob.ts';

/** Does `step` select the member `key` of an object? */
export function stepMatchesKey(step: PathStep, key: string): boolean {
  switch (step.kind) {
    case 'key':
      return step.name === key;
    case 'glob':
      return globMatch(step.pattern, key);
    case 'any':
      return true;
    case 'each':
      return false;
  }
}

/** Does `step` select the elements of an array? */
export function stepMatchesElements(step: PathStep): boolean {
  return step.kind === 'each' || step.kind === 'any';
}

/** Remaining steps of live paths: what is left of each once it has stepped into `key`. */
export function descendKey(paths: readonly PathStep[][], key: string): PathStep[][] {
  const out: PathStep[][] = [];
  for (const steps of paths) {
    const first = steps[0];
    if (first !== undefined && stepMatchesKey(first, key)) out.push(steps.slice(1));
  }
  return out;
}

/** Remaining steps of live paths once they have stepped into an array's elements. */
export function descendElements(paths: readonly PathStep[][]): PathStep[][] {
  const out: PathStep[][] = [];
  for (const steps of paths) {
    const first = steps[0];
    if (first !== undefined && stepMatchesElements(first)) out.push(steps.slice(1));
  }
  return out;
}

/**
 * Live paths that could step into a key an object schema does not list (one its
 * additionalProperties or patternProperties allow): globs, `*`, and keys not in `listed`.
 */
export function descendUnlisted(paths: readonly PathStep[][], listed: ReadonlySet<string>): PathStep[][] {
  const out: PathStep[][] = [];
  for (const steps of paths) {
    const first = steps[0];
    if (first === undefined || first.kind === 'each') continue;
    if (first.kind === 'key' && listed.has(first.name)) continue;
    out.push(steps.slice(1));
  }
  return out;
}

export function endsHere(paths: readonly PathStep[][]): boolean {
  return paths.some((steps) => steps.length === 0);
}

/** A concrete location in a value, as the model sees it: `tickets`, `deals[2].tickets`. */
export function locationText(location: readonly (string | number)[]): string {
  let out = '';
  for (const part of location) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}
