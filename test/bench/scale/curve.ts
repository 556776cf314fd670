import type { BenchResult } from '../results.js';

/**
 * Curves for `npm run bench:scale`: one table per dimension, 3-4 sizes, each metric's ratio from one size to
 * the next, and how it grows with size (from the slope between the first and last point on log-log axes).
 */

export interface CurveMetric {
  key: string;
  label: string;
  unit: string;
  /** Judge this metric's growth against size (latency, memory); off for rates such as runs/s. */
  growth: boolean;
}

export interface CurvePoint {
  size: number;
  values: Record<string, number>;
}

export interface Curve {
  title: string;
  /** What the size counts, e.g. "idle sandboxes". */
  sizeLabel: string;
  metrics: readonly CurveMetric[];
  points: CurvePoint[];
  notes?: string[];
}

export type Growth = 'flat' | 'sub-linear' | 'linear' | 'worse than linear' | 'n/a';

export interface ScaleOptions {
  /** Stop before any size above this (`--max`). */
  max: number;
  /** Tiny sizes for the test run. */
  smoke: boolean;
  log: (line: string) => void;
}

export interface ScaleSection {
  name: string;
  sizes: { full: readonly number[]; smoke: readonly number[] };
  run(sizes: readonly number[], options: ScaleOptions): Promise<Curve>;
  /**
   * The figures `npm run bench` shows in its summary; without it, the runner records the first judged
   * metric at the largest size against the smallest (`defaultHeadlines`).
   */
  headlines?(curve: Curve): BenchResult[];
}

/** Slope of log(value) against log(size) between the first and last point with a positive value. */
export function growthSlope(points: readonly CurvePoint[], key: string): number | null {
  const usable = points.filter((p) => p.size > 0 && (p.values[key] ?? 0) > 0);
  const first = usable[0];
  const last = usable.at(-1);
  if (!first || !last || first.size === last.size) return null;
  return Math.log(last.values[key]! / first.values[key]!) / Math.log(last.size / first.size);
}

export function classifyGrowth(points: readonly CurvePoint[], key: string): Growth {
  const slope = growthSlope(points, key);
  if (slope === null) return 'n/a';
  if (slope < 0.15) return 'flat';
  if (slope < 0.85) return 'sub-linear';
  if (slope <= 1.15) return 'linear';
  return 'worse than linear';
}

const fmt = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : n.toFixed(2);

/** A Markdown table: one row per size; each metric with its ratio to the previous size; then the growth. */
export function renderCurve(curve: Curve): string {
  const header = [curve.sizeLabel, ...curve.metrics.map((m) => `${m.label} (${m.unit})`)];
  const lines = [
    `#### ${curve.title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---:').join('|')}|`,
  ];
  curve.points.forEach((point, i) => {
    const previous = curve.points[i - 1];
    const cells = curve.metrics.map((m) => {
      const value = point.values[m.key];
      const before = previous?.values[m.key];
      const step =
        previous && value !== undefined && before !== undefined && before > 0
          ? ` (${fmt(value / before)}x)`
          : '';
      return `${fmt(value)}${step}`;
    });
    const sizeStep = previous ? ` (${fmt(point.size / previous.size)}x)` : '';
    lines.push(`| ${point.size}${sizeStep} | ${cells.join(' | ')} |`);
  });
  const judged = curve.metrics.filter((m) => m.growth);
  if (judged.length > 0) {
    lines.push('', 'Growth with size (log-log slope, first to last point):');
    for (const m of judged) {
      const slope = growthSlope(curve.points, m.key);
      lines.push(
        `- ${m.label}: ${classifyGrowth(curve.points, m.key)}${slope === null ? '' : ` (slope ${slope.toFixed(2)})`}`,
      );
    }
  }
  for (const note of curve.notes ?? []) lines.push('', note);
  return lines.join('\n');
}
