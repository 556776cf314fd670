import type { BenchResult } from '../results.js';
import type { Curve, CurveMetric } from './curve.js';

/**
 * A metric at the curve's largest size against the same metric at its smallest, measured in the same run:
 * how much it grew over the curve. Null when either end lacks the value (a curve cut short by `--max`).
 */
export function growthHeadline(
  benchmark: string,
  curve: Curve,
  metric: CurveMetric,
  better: 'lower' | 'higher' = 'lower',
): BenchResult | null {
  const first = curve.points[0];
  const last = curve.points.at(-1);
  const at = last?.values[metric.key];
  const base = first?.values[metric.key];
  if (!first || !last || first === last || at === undefined || base === undefined) return null;
  return {
    benchmark,
    measure: `${metric.label} at ${last.size} ${curve.sizeLabel}`,
    unit: metric.unit,
    agentd: at,
    baseline: base,
    baselineName: `the same at ${first.size} ${curve.sizeLabel}`,
    better,
  };
}

/** For sections that name no headline figures: their first judged metric over the whole curve. */
export function defaultHeadlines(benchmark: string, curve: Curve): BenchResult[] {
  const metric = curve.metrics.find((m) => m.growth);
  const headline = metric ? growthHeadline(benchmark, curve, metric) : null;
  return headline ? [headline] : [];
}
