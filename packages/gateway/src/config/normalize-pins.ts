/**
 * normalize() for `pinning`: the top-level setting, and each upstream's effective one (its own
 * fields, else the top-level ones). Pure.
 */
import type { PinningModel } from './model-pins.ts';
import type { PinningParsed, UpstreamPinningParsed } from './schema-pins.ts';

export function normalizePinning(parsed: PinningParsed): PinningModel {
  return { enabled: parsed.enabled, onChange: parsed.onChange };
}

/** One upstream's effective setting: its own fields, else the top-level ones. */
export function upstreamPinning(
  global: PinningParsed,
  override: UpstreamPinningParsed | undefined,
): PinningModel {
  if (typeof override === 'boolean') return { enabled: override, onChange: global.onChange };
  return {
    enabled: override?.enabled ?? global.enabled,
    onChange: override?.onChange ?? global.onChange,
  };
}
