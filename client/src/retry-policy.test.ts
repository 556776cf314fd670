import { describe, expect, it } from 'vitest';
import { AgentdError } from './agentd-error.js';
import { DEFAULT_RETRY, retryDelay } from './retry-policy.js';

const error = (init: Partial<ConstructorParameters<typeof AgentdError>[0]> = {}): AgentdError =>
  new AgentdError({
    code: 'CAPACITY_EXHAUSTED',
    message: 'full',
    severity: 'error',
    recoverable: true,
    ...init,
  });

describe('retryDelay', () => {
  it('never retries an error that is not recoverable', () => {
    expect(retryDelay(error({ recoverable: false }), 0, DEFAULT_RETRY)).toBeUndefined();
  });

  it('backs off exponentially within [ceiling/2, ceiling], capped by maxDelayMs', () => {
    const options = { retries: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelay(error(), 0, options, () => 0)).toBe(50);
    expect(retryDelay(error(), 0, options, () => 1)).toBe(100);
    expect(retryDelay(error(), 3, options, () => 1)).toBe(800);
    expect(retryDelay(error(), 6, options, () => 1)).toBe(1_000);
  });

  it('waits what Retry-After says, and gives up when that is longer than maxDelayMs', () => {
    expect(retryDelay(error({ retryAfter: 2 }), 0, DEFAULT_RETRY)).toBe(2_000);
    expect(retryDelay(error({ retryAfter: 60 }), 0, DEFAULT_RETRY)).toBeUndefined();
  });

  it('stops after `retries` further attempts', () => {
    expect(retryDelay(error(), 2, DEFAULT_RETRY)).toBeTypeOf('number');
    expect(retryDelay(error(), 3, DEFAULT_RETRY)).toBeUndefined();
  });
});
