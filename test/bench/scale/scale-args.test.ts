import { describe, expect, it } from 'vitest';
import { parseScaleArgs, sizesFor } from './scale-args.js';

describe('parseScaleArgs', () => {
  it('reads --max, --smoke and repeated or comma-separated --only', () => {
    expect(parseScaleArgs(['--max', '50', '--smoke', '--only', 'a,b', '--only=c'])).toEqual({
      max: 50,
      smoke: true,
      only: ['a', 'b', 'c'],
    });
    expect(parseScaleArgs([]).max).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses what it does not know, and a --max that is not a positive integer', () => {
    expect(() => parseScaleArgs(['--fast'])).toThrow(/unknown argument --fast/);
    expect(() => parseScaleArgs(['--max', '0'])).toThrow(/positive integer/);
    expect(() => parseScaleArgs(['--max'])).toThrow(/needs a value/);
  });
});

describe('sizesFor', () => {
  const sizes = { full: [500, 50, 200], smoke: [2, 1] };
  it('stops before sizes above --max, in ascending order', () => {
    expect(sizesFor(sizes, { max: 200, smoke: false })).toEqual([50, 200]);
    expect(sizesFor(sizes, { max: 10, smoke: false })).toEqual([]);
  });
  it('uses the smoke sizes in smoke mode', () => {
    expect(sizesFor(sizes, { max: Number.POSITIVE_INFINITY, smoke: true })).toEqual([1, 2]);
  });
});
