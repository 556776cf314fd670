import { describe, expect, it } from 'vitest';
import type { Curve } from './curve.js';
import { defaultHeadlines } from './headlines.js';

const curve = (sizes: number[]): Curve => ({
  title: 'T',
  sizeLabel: 'files',
  metrics: [
    { key: 'rate', label: 'files/s', unit: '/s', growth: false },
    { key: 'scan', label: 'scan', unit: 'ms', growth: true },
  ],
  points: sizes.map((size) => ({ size, values: { rate: 1, scan: size / 10 } })),
});

describe('defaultHeadlines', () => {
  it('records the first judged metric at the largest size against the smallest', () => {
    expect(defaultHeadlines('scale: t', curve([10, 100, 1000]))).toEqual([
      {
        benchmark: 'scale: t',
        measure: 'scan at 1000 files',
        unit: 'ms',
        agentd: 100,
        baseline: 1,
        baselineName: 'the same at 10 files',
        better: 'lower',
      },
    ]);
  });

  it('records nothing for a curve of one size (cut short by --max)', () => {
    expect(defaultHeadlines('scale: t', curve([10]))).toEqual([]);
  });
});
