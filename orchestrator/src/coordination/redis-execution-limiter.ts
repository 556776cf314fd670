import type { ExecutionLimiter, RateDecision } from '../runs/execution-limiter.js';
import { redisCall, type RedisClient } from './redis-connection.js';

// Count and window in one round trip; the first request of a window starts its expiry.
const TAKE = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

/** Fleet mode: one budget per caller across every node. */
export class RedisExecutionLimiter implements ExecutionLimiter {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const [count, ttl] = (await redisCall(() =>
      this.client.eval(TAKE, 1, `${this.prefix}ratelimit:${key}`, String(windowMs)),
    )) as [number, number];
    return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs: ttl };
  }
}
