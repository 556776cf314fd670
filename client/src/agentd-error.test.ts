import { describe, expect, it } from 'vitest';
import { AgentdError, parseRetryAfter } from './agentd-error.js';

describe('AgentdError.fromResponse', () => {
  it("reads agentd's error body, its request id and Retry-After", async () => {
    const res = new Response(
      JSON.stringify({
        error: {
          code: 'RATE_LIMITED',
          message: 'slow down',
          severity: 'warning',
          recoverable: true,
          requestId: 'req-1',
          details: { limit: 10 },
        },
      }),
      { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '3' } },
    );
    const err = await AgentdError.fromResponse(res);
    expect(err).toBeInstanceOf(AgentdError);
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'slow down',
      severity: 'warning',
      recoverable: true,
      requestId: 'req-1',
      retryAfter: 3,
      status: 429,
      details: { limit: 10 },
    });
  });

  it("describes a proxy's answer without agentd's body by its status (a 502 is worth a retry)", async () => {
    const err = await AgentdError.fromResponse(new Response('<html>bad gateway</html>', { status: 502 }));
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR', recoverable: true, status: 502 });
    expect(err.message).toContain('502');
    const notFound = await AgentdError.fromResponse(new Response('nope', { status: 404 }));
    expect(notFound).toMatchObject({ code: 'HTTP_ERROR', recoverable: false });
  });
});

describe('parseRetryAfter', () => {
  it('takes seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
