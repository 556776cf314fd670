import { CapacityError, type AgentdError, type ErrorCode } from '../common/errors.js';

/** The one place error codes become HTTP statuses (docs/architecture.md: errors). */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONVERSATION_BUSY: 409,
  RATE_LIMITED: 429,
  // Only ever sent inside a stream (the response is already 200); a resume from `firstSeq - 1` works.
  STREAM_LAGGED: 409,
  CAPACITY_EXHAUSTED: 503,
  SANDBOX_START_FAILED: 503,
  SANDBOX_LOST: 503,
  RUN_TIMEOUT: 504,
  RUN_CANCELLED: 409,
  STEP_LIMIT: 422,
  MODEL_ERROR: 502,
  CONTEXT_EXHAUSTED: 422,
  WORKSPACE_LIMIT: 413,
  WORKSPACE_SYNC_FAILED: 503,
  RUNNER_PROTOCOL_ERROR: 502,
  DEPENDENCY_UNAVAILABLE: 503,
  // Only ever an event on an open stream; a resume from the first retained sequence number works.
  INTERNAL_ERROR: 500,
  SECURITY_POSTURE: 503,
  // A run's end (an event on an open stream): the sandbox hit a resource limit the tenant's policy set.
  SANDBOX_LIMIT: 422,
  // An outbound connection refused by the address rules (remote MCP servers, egress).
  EGRESS_DENIED: 403,
  MCP_ERROR: 502,
  // A stored secret was encrypted under a key this node no longer has (AGENTD_SECRETS_KEY lost an old key).
  SECRET_KEY_UNKNOWN: 500,
};

export function httpStatusOf(err: AgentdError): number {
  // A tenant over its own cap is told to slow down (429); a full node is unavailable (503).
  if (err instanceof CapacityError) return err.scope === 'tenant' ? 429 : 503;
  return STATUS[err.code];
}
