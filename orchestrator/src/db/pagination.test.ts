import { describe, expect, it } from 'vitest';
import { ValidationError } from '../common/errors.js';
import {
  MAX_PAGE_LIMIT,
  checkLimit,
  decodeSeqCursor,
  decodeTimeCursor,
  encodeSeqCursor,
  encodeTimeCursor,
  toPage,
} from './pagination.js';

describe('cursors', () => {
  it('round-trip as opaque base64url strings', () => {
    const item = { createdAt: new Date('2026-11-23T10:00:00.123Z'), id: 'conv_abc' };
    const cursor = encodeTimeCursor(item);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimeCursor(cursor)).toEqual(item);
    expect(decodeSeqCursor(encodeSeqCursor(42))).toBe(42);
    expect(decodeTimeCursor(undefined)).toBeUndefined();
  });

  it('reject anything else with a validation error', () => {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const bad = [
      '',
      '!!',
      'a b',
      b64('x'),
      b64(null),
      b64({ t: '2026-13-01', i: 'x' }),
      b64({ t: 'x', i: 1 }),
      b64({ s: 1 }),
    ];
    for (const cursor of bad) expect(() => decodeTimeCursor(cursor), cursor).toThrow(ValidationError);
    for (const cursor of [b64({ s: 1.5 }), b64({ s: '1' }), b64({ t: '', i: '' })]) {
      expect(() => decodeSeqCursor(cursor), cursor).toThrow(ValidationError);
    }
  });
});

describe('pages', () => {
  it('uses the extra row only to decide whether a next page exists', () => {
    const rows = [1, 2, 3];
    expect(toPage(rows, 2, (r) => r * 10, String)).toEqual({ items: [10, 20], nextCursor: '2' });
    expect(toPage(rows, 3, (r) => r, String)).toEqual({ items: [1, 2, 3], nextCursor: null });
    expect(toPage([], 3, (r: number) => r, String)).toEqual({ items: [], nextCursor: null });
  });

  it('accepts limits from 1 to the ceiling only', () => {
    expect(checkLimit(1)).toBe(1);
    expect(checkLimit(MAX_PAGE_LIMIT)).toBe(MAX_PAGE_LIMIT);
    for (const limit of [0, -5, 2.5, MAX_PAGE_LIMIT + 1, Number.NaN])
      expect(() => checkLimit(limit)).toThrow(ValidationError);
  });
});
