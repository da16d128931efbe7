/**
 * Builds the bars of a ChartSpec from per-round values: the median as the bar, the min–max spread
 * as its whisker (left out when there is only one value).
 */
import { type ChartSpec, figure } from './results.ts';

export type Bar = ChartSpec['series'][number];

/** One bar: the median of `values`, with a min–max whisker when there are several. */
export function bar(label: string, values: number[], group?: string): Bar {
  const f = figure(values);
  const whisker = values.filter(Number.isFinite).length > 1 ? { min: f.min, max: f.max } : {};
  return { label, value: f.median, ...whisker, ...(group === undefined ? {} : { group }) };
}
