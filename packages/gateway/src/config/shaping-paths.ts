/**
 * Shaping paths as written in gatehouse.yaml: the dotted addresses a shaping rule uses to name
 * parts of a tool result, e.g. `deal.properties.amount`, `tickets[].subject`, `properties.hs_*`,
 * `contacts.*.email`.
 *
 * - a segment is a key; `*` and `?` inside it make it a glob over the keys of an object;
 * - a segment that is just `*` is any key of an object, or any element of an array;
 * - `[]` after a segment (or as the whole first segment) steps into every element of an array.
 *
 * Keys containing `.`, `[` or `]` cannot be named. Parsing is pure and belongs to the config (the
 * schema rejects paths that do not parse; normalize compiles them); shaping/paths.ts matches the
 * parsed steps against values.
 */
import type { PathStep, ShapingPath } from './model-shaping.ts';

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
