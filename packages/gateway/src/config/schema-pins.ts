/**
 * Tool-definition pinning in gatehouse.yaml: the top-level `pinning` section and the per-upstream
 * override, plus their runtime model and the pure step between them. Part of the one zod schema in
 * schema.ts; normalize.ts resolves each upstream's effective setting with `upstreamPinning()`.
 */
import { z } from 'zod';

const onChange = z
  .enum(['pinned', 'hide'])
  .describe(
    'When an upstream changes a pinned tool: "pinned" keeps serving the pinned definition (calls still reach the upstream), "hide" hides the tool until an admin approves the change.',
  );

export const PinningSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Pin each upstream tool's name, description and schemas by hash when first seen; changes wait for `gatehouse pins approve`.",
      ),
    onChange: onChange.default('pinned'),
  })
  .strict();

/** `pinning: false` turns pinning off for one upstream; an object overrides the top-level fields. */
export const UpstreamPinningSchema = z.union([
  z.boolean(),
  z
    .object({
      enabled: z.boolean().optional().describe('Defaults to the top-level pinning.enabled.'),
      onChange: onChange.optional().describe('Defaults to the top-level pinning.onChange.'),
    })
    .strict(),
]);

export type PinningMode = 'pinned' | 'hide';

export interface PinningModel {
  enabled: boolean;
  onChange: PinningMode;
}

type PinningParsed = z.output<typeof PinningSchema>;
type UpstreamPinningParsed = z.output<typeof UpstreamPinningSchema>;

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
