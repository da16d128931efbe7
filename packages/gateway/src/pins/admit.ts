/**
 * admitTools(): the pure decision of which of an upstream's tools are served, and how, given the
 * pins. A tool seen for the first time is pinned as it is (trust on first use); one whose hash
 * matches its pin is served as listed; one whose hash differs is served under its pinned
 * definition (`pinned`) or withheld (`hide`), and the new definition becomes a pending change
 * until an admin approves it. A tool that disappears keeps its pin, so one that comes back
 * unchanged is simply served again.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { PinningMode } from '../config/model-pins.ts';
import {
  changedFields,
  definitionHash,
  type PinnedField,
  servePinned,
  type ToolDefinition,
  toolDefinition,
} from './definition.ts';

/** A pin as admission needs it: the approved hash and definition. */
export interface PinnedTool {
  hash: string;
  definition: ToolDefinition;
}

export interface NewPin {
  upstream: string;
  tool: string;
  hash: string;
  definition: ToolDefinition;
}

export interface DetectedChange {
  upstream: string;
  tool: string;
  pinnedHash: string;
  hash: string;
  definition: ToolDefinition;
  fields: PinnedField[];
}

export interface Admission {
  /** The tools to serve, in the upstream's order. */
  serve: Tool[];
  /** Tools seen for the first time: pin them. */
  pin: NewPin[];
  /** Definitions that differ from their pin and are not yet the recorded pending change. */
  changed: DetectedChange[];
  /** Tools with a recorded pending change whose upstream serves the pinned definition again. */
  reverted: string[];
  /** Tools held back from what the upstream lists: served pinned, or hidden. */
  held: { tool: string; as: PinningMode }[];
}

/**
 * @param pins    the upstream's pins by its own tool name
 * @param pending the hash of each tool's recorded pending change, by tool name
 */
export function admitTools(
  upstream: string,
  tools: readonly Tool[],
  pins: ReadonlyMap<string, PinnedTool>,
  onChange: PinningMode,
  pending: ReadonlyMap<string, string> = new Map(),
): Admission {
  const known = new Map(pins);
  const result: Admission = { serve: [], pin: [], changed: [], reverted: [], held: [] };
  const seen = new Set<string>();
  for (const tool of tools) {
    const definition = toolDefinition(tool);
    const hash = definitionHash(definition);
    const pin = known.get(tool.name);
    const first = !seen.has(tool.name);
    seen.add(tool.name);
    if (pin === undefined) {
      known.set(tool.name, { hash, definition });
      result.pin.push({ upstream, tool: tool.name, hash, definition });
      result.serve.push(tool);
      continue;
    }
    if (pin.hash === hash) {
      if (first && pending.has(tool.name)) result.reverted.push(tool.name);
      result.serve.push(tool);
      continue;
    }
    if (first && pending.get(tool.name) !== hash) {
      result.changed.push({
        upstream,
        tool: tool.name,
        pinnedHash: pin.hash,
        hash,
        definition,
        fields: changedFields(pin.definition, definition),
      });
    }
    result.held.push({ tool: tool.name, as: onChange });
    if (onChange === 'pinned') result.serve.push(servePinned(tool, pin.definition));
  }
  return result;
}
