import { ValidationError } from '../common/errors.js';
import type { ModelUsage } from './model-provider.js';

/** Prices in USD per million tokens, as decimal strings. */
export interface ModelPrices {
  inputPricePerMTok: string;
  outputPricePerMTok: string;
  cacheReadPricePerMTok: string;
  cacheWritePricePerMTok: string;
}

/**
 * USD per million tokens is micro-USD per token; with up to 6 decimals it is a whole number of pico-USD per
 * token, so costs are exact integers of pico-USD (never floating point).
 */
const PICO_PER_MICRO = 1_000_000n;
const COST_DECIMALS = 12;

export function picoUsdPerToken(pricePerMTok: string): bigint {
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(pricePerMTok.trim());
  if (!match)
    throw new ValidationError('invalid price', [
      `"${pricePerMTok}" must be a decimal with at most 6 decimals`,
    ]);
  const whole = BigInt(match[1] ?? '0');
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'));
  return whole * PICO_PER_MICRO + fraction;
}

export function costPicoUsd(usage: ModelUsage, prices: ModelPrices): bigint {
  return (
    BigInt(usage.inputTokens) * picoUsdPerToken(prices.inputPricePerMTok) +
    BigInt(usage.outputTokens) * picoUsdPerToken(prices.outputPricePerMTok) +
    BigInt(usage.cacheReadTokens) * picoUsdPerToken(prices.cacheReadPricePerMTok) +
    BigInt(usage.cacheWriteTokens) * picoUsdPerToken(prices.cacheWritePricePerMTok)
  );
}

/** pico-USD as a USD decimal string with 12 decimals, e.g. 1234n → "0.000000001234". */
export function formatUsd(pico: bigint): string {
  const negative = pico < 0n;
  const digits = (negative ? -pico : pico).toString().padStart(COST_DECIMALS + 1, '0');
  const whole = digits.slice(0, -COST_DECIMALS);
  return `${negative ? '-' : ''}${whole}.${digits.slice(-COST_DECIMALS)}`;
}

/** The JSON number clients get in `usage` events (display only; the exact value is the string). */
export function usdNumber(pico: bigint): number {
  return Number(pico) / 1e12;
}
