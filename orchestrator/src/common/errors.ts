/** Stable error codes (docs/architecture.md: errors): they appear in API errors and in `error` events. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONVERSATION_BUSY',
  'RATE_LIMITED',
  'STREAM_LAGGED',
  'CAPACITY_EXHAUSTED',
  'SANDBOX_START_FAILED',
  'SANDBOX_LOST',
  'RUN_TIMEOUT',
  'RUN_CANCELLED',
  'STEP_LIMIT',
  'MODEL_ERROR',
  'CONTEXT_EXHAUSTED',
  'WORKSPACE_LIMIT',
  'WORKSPACE_SYNC_FAILED',
  'RUNNER_PROTOCOL_ERROR',
  'DEPENDENCY_UNAVAILABLE',
  'INTERNAL_ERROR',
  'SECURITY_POSTURE',
  'SANDBOX_LIMIT',
  'EGRESS_DENIED',
  'MCP_ERROR',
  'SECRET_KEY_UNKNOWN',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type Severity = 'warning' | 'error' | 'critical';

export interface AgentdErrorOptions {
  cause?: unknown;
  severity?: Severity;
  recoverable?: boolean;
  /** Structured, client-safe details (validation issues, the dependency that failed …). */
  details?: Record<string, unknown>;
  /** Seconds a client should wait before retrying (429/503). */
  retryAfterSeconds?: number;
}

export class AgentdError extends Error {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly recoverable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AgentdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = this.constructor.name;
    this.code = code;
    this.severity = options.severity ?? 'error';
    this.recoverable = options.recoverable ?? false;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAgentdError(err: unknown): err is AgentdError {
  return err instanceof AgentdError;
}

/** One message listing every problem found, so an operator fixes them all in one pass. */
export class ValidationError extends AgentdError {
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[], options: AgentdErrorOptions = {}) {
    super('VALIDATION_FAILED', `${what}:\n  - ${issues.join('\n  - ')}`, {
      ...options,
      details: { ...options.details, issues },
    });
    this.issues = issues;
  }
}

export class NotFoundError extends AgentdError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { details: { what, id } });
  }
}

/** `tenant` caps answer 429, `node` caps 503 (docs/architecture.md: errors — never queue silently). */
export type CapacityScope = 'tenant' | 'node';

export class CapacityError extends AgentdError {
  readonly scope: CapacityScope;

  constructor(scope: CapacityScope, message: string, retryAfterSeconds: number) {
    super('CAPACITY_EXHAUSTED', message, { recoverable: true, retryAfterSeconds, details: { scope } });
    this.scope = scope;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
