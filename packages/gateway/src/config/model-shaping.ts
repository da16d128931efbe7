/**
 * The runtime model of one upstream's `shaping` rules (see schema-shaping.ts): paths compiled to
 * steps, absent options made explicit. Plain data, so the normalized config prints and compares.
 */

/** One step of a shaping path (config/shaping-paths.ts parses them). */
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

export interface ShapingRuleModel {
  /** Globs over the upstream's own tool names. */
  tools: string[];
  /** null: keep everything. */
  pick: ShapingPath[] | null;
  omit: ShapingPath[];
  /** Each path's last step is a plain key, renamed to `to`. */
  rename: { path: ShapingPath; to: string }[];
  /** paths null: every string (and plain-text content). */
  truncate: { maxChars: number; paths: ShapingPath[] | null } | null;
  /** Cap for every array not named in `arrays`; null: no cap. */
  maxItems: number | null;
  arrays: { path: ShapingPath; maxItems: number }[];
  /** Estimated tokens the shaped result may use; null: no budget. */
  tokenBudget: number | null;
}
