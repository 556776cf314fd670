import { describe, expect, it } from 'vitest';
import { classifyGrowth, renderCurve, type CurvePoint } from './curve.js';

const points = (values: number[]): CurvePoint[] =>
  [10, 100, 1000].map((size, i) => ({ size, values: { v: values[i]! } }));

describe('classifyGrowth', () => {
  it('tells flat, sub-linear, linear and worse apart from the log-log slope', () => {
    expect(classifyGrowth(points([5, 5.1, 5.2]), 'v')).toBe('flat');
    expect(classifyGrowth(points([1, 3, 10]), 'v')).toBe('sub-linear');
    expect(classifyGrowth(points([1, 10, 100]), 'v')).toBe('linear');
    expect(classifyGrowth(points([1, 100, 10000]), 'v')).toBe('worse than linear');
    expect(classifyGrowth(points([0, 0, 0]), 'v')).toBe('n/a');
  });
});

describe('renderCurve', () => {
  it('prints each size with the step ratio of every metric', () => {
    const text = renderCurve({
      title: 'T',
      sizeLabel: 'files',
      metrics: [{ key: 'v', label: 'scan', unit: 'ms', growth: true }],
      points: points([2, 4, 8]),
    });
    expect(text).toContain('| 100 (10.0x) | 4.00 (2.00x) |');
    expect(text).toContain('- scan: sub-linear (slope 0.30)');
  });
});
