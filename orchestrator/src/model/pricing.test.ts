import { describe, expect, it } from 'vitest';
import { costPicoUsd, formatUsd, picoUsdPerToken } from './pricing.js';

describe('pricing', () => {
  it('turns USD per million tokens into exact pico-USD per token', () => {
    expect(picoUsdPerToken('3')).toBe(3_000_000n);
    expect(picoUsdPerToken('0.25')).toBe(250_000n);
    expect(picoUsdPerToken('15.000001')).toBe(15_000_001n);
    expect(() => picoUsdPerToken('0.1234567')).toThrow(/at most 6 decimals/);
    expect(() => picoUsdPerToken('-1')).toThrow();
  });

  it('computes cost exactly where floating point would not', () => {
    const prices = {
      inputPricePerMTok: '0.1',
      outputPricePerMTok: '0.2',
      cacheReadPricePerMTok: '0.01',
      cacheWritePricePerMTok: '0.125',
    };
    const cost = costPicoUsd(
      { inputTokens: 3, outputTokens: 3, cacheReadTokens: 7, cacheWriteTokens: 1 },
      prices,
    );
    // 3*0.1 + 3*0.2 + 7*0.01 + 1*0.125 = 1.095 micro-USD; 0.1*3 + 0.2*3 in floats is 0.9000000000000001.
    expect(cost).toBe(1_095_000n);
    expect(formatUsd(cost)).toBe('0.000001095000');
    expect(formatUsd(0n)).toBe('0.000000000000');
    expect(formatUsd(12_345_000_000_000n)).toBe('12.345000000000');
  });
});
