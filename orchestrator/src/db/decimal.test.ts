import { describe, expect, it } from 'vitest';
import { ValidationError } from '../common/errors.js';
import { COST, PRICE, checkDecimals, decimalIssue, formatDecimal } from './decimal.js';
import { Prisma } from './generated/client.js';

describe('decimal strings', () => {
  it('accepts what the column holds exactly', () => {
    for (const value of ['0', '1', '0.000001', '123456789012.123456', '1.1000000']) {
      expect(decimalIssue('p', value, PRICE), value).toBeUndefined();
    }
    expect(decimalIssue('c', '0.000000000001', COST)).toBeUndefined();
  });

  it('rejects what PostgreSQL would round or refuse', () => {
    expect(decimalIssue('p', '0.0000001', PRICE)).toMatch(/more than 6 decimal places/);
    expect(decimalIssue('p', '1234567890123', PRICE)).toMatch(/too large/);
    for (const value of ['', '-1', '+1', '1e3', '01', '1.', '.5', ' 1', 'NaN']) {
      expect(decimalIssue('p', value, PRICE), value).toMatch(/non-negative decimal string/);
    }
  });

  it('lists every bad field in one validation error', () => {
    let caught: unknown;
    try {
      checkDecimals('invalid model', { a: 'x', b: '1', c: '0.1234567', d: undefined }, PRICE);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues).toHaveLength(2);
  });

  it('formats with the column scale, never through a float', () => {
    expect(formatDecimal(new Prisma.Decimal('0.0012345'), COST)).toBe('0.001234500000');
    expect(formatDecimal(new Prisma.Decimal('123456789012.123456'), PRICE)).toBe('123456789012.123456');
    expect(formatDecimal(new Prisma.Decimal('0.1').plus('0.2'), PRICE)).toBe('0.300000');
  });
});
