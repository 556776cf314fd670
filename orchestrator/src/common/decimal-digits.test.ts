import { describe, expect, it } from 'vitest';
import { digitCount, writeDigits } from './decimal-digits.js';

describe('decimal digits', () => {
  it('counts and writes a number as String(n) would, and returns the offset after it', () => {
    for (const n of [0, 7, 9, 10, 99, 100, 12_345, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(digitCount(n)).toBe(String(n).length);
      const target = Buffer.alloc(20, 0x2e);
      expect(writeDigits(target, 2, n)).toBe(2 + String(n).length);
      expect(target.toString('latin1')).toBe(`..${n}`.padEnd(20, '.'));
    }
  });
});
