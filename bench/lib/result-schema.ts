/**
 * Reads a BenchResult file back (bench/run-all.ts): the JSON a benchmark wrote with `--json` is
 * checked against the shape in results.ts, so a malformed result is reported as such rather than
 * rendered half-way.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { BenchResult } from './results.ts';

const Num = z.number().or(z.null().transform(() => Number.NaN));

const Result = z.object({
  bench: z.string(),
  title: z.string(),
  command: z.string(),
  startedAt: z.string(),
  durationMs: Num,
  tables: z.array(
    z.object({
      title: z.string(),
      columns: z.array(z.string()),
      rows: z.array(z.array(z.string())),
      caption: z.string().optional(),
    }),
  ),
  charts: z.array(
    z.object({
      id: z.string().min(1),
      title: z.string(),
      unit: z.string(),
      series: z.array(
        z.object({
          label: z.string(),
          value: Num,
          min: Num.optional(),
          max: Num.optional(),
          group: z.string().optional(),
        }),
      ),
      reference: z.object({ label: z.string(), value: Num }).optional(),
    }),
  ),
  targets: z.array(
    z.object({ name: z.string(), target: z.string(), measured: z.string(), pass: z.boolean() }),
  ),
  notes: z.array(z.string()),
});

/** The result in `file`; throws a readable error when it is not valid JSON of the right shape. */
export function readResult(file: string): BenchResult {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = Result.safeParse(json);
  if (!parsed.success) throw new Error(`not a BenchResult: ${z.prettifyError(parsed.error)}`);
  return parsed.data as BenchResult;
}
