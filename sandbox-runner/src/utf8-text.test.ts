import { describe, expect, it } from 'vitest';
import { cutUtf8, utf8Length } from './utf8-text.js';

describe('cutUtf8', () => {
  it('keeps text that fits', () => {
    expect(cutUtf8('hello', 5)).toBe('hello');
  });

  it('never splits a multi-byte character', () => {
    // 'é' is 2 bytes, '€' 3, '😀' 4.
    expect(cutUtf8('aé', 2)).toBe('a');
    expect(cutUtf8('a€b', 3)).toBe('a');
    expect(cutUtf8('a€b', 4)).toBe('a€');
    expect(cutUtf8('😀😀', 7)).toBe('😀');
    for (let n = 0; n <= 12; n += 1) expect(utf8Length(cutUtf8('é€😀ab', n))).toBeLessThanOrEqual(n);
  });

  it('returns nothing for a zero budget', () => {
    expect(cutUtf8('abc', 0)).toBe('');
  });
});
