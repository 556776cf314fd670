/** The state of one caller's budget after a request was counted. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Until the window resets. */
  resetMs: number;
}

/**
 * Counts run starts per caller in fixed windows: fleet-wide with Redis, in-process in embedded mode. Every
 * attempt counts, refused ones too, so a caller cannot probe its way past the limit.
 */
export interface ExecutionLimiter {
  take(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}
