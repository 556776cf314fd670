import { describe, expect, it } from 'vitest';
import { AgentdError } from './errors.js';
import { retry } from './retry.js';

const fast = { retries: 3, minDelayMs: 0, maxDelayMs: 0 };

describe('retry', () => {
  it('retries a transient error and returns the eventual result', async () => {
    let calls = 0;
    const result = await retry(() => {
      calls += 1;
      if (calls < 3) return Promise.reject(new AgentdError('DEPENDENCY_UNAVAILABLE', 'down'));
      return Promise.resolve('ok');
    }, fast);
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('rethrows a non-transient error at once', async () => {
    let calls = 0;
    const failing = retry(() => {
      calls += 1;
      return Promise.reject(new AgentdError('NOT_FOUND', 'gone'));
    }, fast);
    await expect(failing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(calls).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    let calls = 0;
    const failing = retry(() => {
      calls += 1;
      return Promise.reject(new AgentdError('DEPENDENCY_UNAVAILABLE', `down ${calls}`));
    }, fast);
    await expect(failing).rejects.toThrow('down 4');
    expect(calls).toBe(4);
  });

  it('asks retryOn which errors are worth another attempt', async () => {
    let calls = 0;
    const failing = retry(
      () => {
        calls += 1;
        return Promise.reject(new AgentdError('SANDBOX_START_FAILED', 'no', { recoverable: true }));
      },
      { ...fast, retryOn: (err) => err instanceof AgentdError && err.recoverable },
    );
    await expect(failing).rejects.toMatchObject({ code: 'SANDBOX_START_FAILED' });
    expect(calls).toBe(4);
  });
});
