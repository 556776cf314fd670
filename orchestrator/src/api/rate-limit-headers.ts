import type { RateDecision } from '../runs/execution-limiter.js';

/** The de-facto standard headers that tell a client its remaining budget (as @fastify/rate-limit sent them). */
export function rateLimitHeaders(quota: RateDecision | undefined): Record<string, string> {
  if (!quota) return {};
  return {
    'x-ratelimit-limit': String(quota.limit),
    'x-ratelimit-remaining': String(quota.remaining),
    'x-ratelimit-reset': String(Math.max(0, Math.ceil(quota.resetMs / 1000))),
  };
}
