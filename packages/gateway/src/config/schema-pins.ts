/**
 * Tool-definition pinning in gatehouse.yaml: the top-level `pinning` section and the per-upstream
 * override. Part of the one zod schema in schema.ts; normalize-pins.ts turns it into the runtime
 * model (model-pins.ts) and resolves each upstream's effective setting. The top-level fields carry
 * the defaults; an upstream's fields default to the top-level ones, so they have none of their own.
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

export type PinningParsed = z.output<typeof PinningSchema>;
export type UpstreamPinningParsed = z.output<typeof UpstreamPinningSchema>;
