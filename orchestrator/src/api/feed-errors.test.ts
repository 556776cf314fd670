import { describe, expect, it } from 'vitest';
import { feedErrorMessage } from './feed-errors.js';

const now = new Date('2026-01-01T00:00:00.000Z');

describe('feedErrorMessage', () => {
  it('makes a lagged reader resume from the oldest retained event, as a recoverable warning', () => {
    expect(feedErrorMessage({ kind: 'lagged', missed: 5, firstSeq: 9 }, 'r', 3, now)).toEqual({
      resumeAfter: 8,
      body: {
        type: 'error',
        runId: 'r',
        code: 'STREAM_LAGGED',
        message: expect.stringMatching(/fell 5 events behind/) as unknown,
        severity: 'warning',
        recoverable: true,
        timestamp: '2026-01-01T00:00:00.000Z',
        firstSeq: 9,
        missed: 5,
      },
    });
  });

  it('leaves an expired reader where it was, with an error it cannot recover from', () => {
    const { resumeAfter, body } = feedErrorMessage({ kind: 'expired' }, 'r', 7, now);
    expect(resumeAfter).toBe(7);
    expect(body).toMatchObject({ type: 'error', code: 'NOT_FOUND', severity: 'error', recoverable: false });
  });
});
