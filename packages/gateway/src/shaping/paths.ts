/**
 * Shaping paths: the dotted addresses a shaping rule uses to name parts of a tool result, e.g.
 * `deal.properties.amount`, `tickets[].subject`, `properties.hs_*`, `contacts.*.email`.
 *
 * - a segment is a key; `*` and `?` inside it make it a glob over the keys of an object;
 * - a segment that is just `*` is any key of an object, or any element of an array;
 * - `[]` after a segment (or as the whole first segment) steps into every element of an array.
 *
 * Keys containing `.`, `[` or `]` cannot be named. Parsing is pure; matching walks one step at a
 * time, so every shaping operation carries the remaining steps of the paths that are still live.
 */
import { globMatch } from '../policy/glob.ts';

export type PathStep =
  | { kind: 'key'; name: string }
  | { kind: 'glob'; pattern: string }
  | { kind: 'any' }
  | { kind: 'each' };

/** A parsed path: the text the user wrote and its steps. */
export interface ShapingPath {
  text: string;
  steps: PathStep[];
}

export type ParsedPath = { ok: true; path: ShapingPath } | { ok: false; message: string };

const SEGMENT = /^([^.[\]]*)((?:\[\])*)$/;

function keyStep(name: string): PathStep {
  if (name === '*') return { kind: 'any' };
  if (name.includes('*') || name.includes('?')) return { kind: 'glob', pattern: name };
  return { kind: 'key', name };
}

export function parsePath(text: string): ParsedPath {
  if (text.trim() === '') return { ok: false, message: 'a path cannot be empty' };
  const steps: PathStep[] = [];
  const segments = text.split('.');
  for (const [i, segment] of segments.entries()) {
    const match = SEGMENT.exec(segment);
    if (match === null) {
      return {
        ok: false,
        message: `bad path "${text}": segment "${segment}" may only end in [] (brackets elsewhere are not allowed)`,
      };
    }
    const name = match[1] ?? '';
    const brackets = (match[2] ?? '').length / 2;
    if (name === '' && (brackets === 0 || i > 0)) {
      return {
        ok: false,
        message:
          brackets === 0
            ? `bad path "${text}": empty segment (two dots, or a dot at an end)`
            : `bad path "${text}": "[]" must follow a key ("${segments[i - 1] ?? ''}[]", not "${segments[i - 1] ?? ''}.[]")`,
      };
    }
    if (name !== '') steps.push(keyStep(name));
    for (let b = 0; b < brackets; b++) steps.push({ kind: 'each' });
  }
  return { ok: true, path: { text, steps } };
}

/** Parses a path the config schema already validated. */
export function compilePath(text: string): ShapingPath {
  const parsed = parsePath(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
}

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
