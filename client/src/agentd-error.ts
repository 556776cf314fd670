/** Severity of an error, as agentd reports it. */
export type Severity = 'warning' | 'error' | 'critical';

/** The body agentd answers an error with (`{ "error": { … } }`). */
export interface ErrorBody {
  code: string;
  message: string;
  severity: Severity;
  recoverable: boolean;
  requestId?: string;
  details?: Record<string, unknown>;
}

export interface AgentdErrorInit extends ErrorBody {
  /** HTTP status, when the error came from a response (0: no response, a network failure). */
  status?: number;
  /** Seconds to wait before retrying (the `Retry-After` header, 429/503). */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * An error agentd reported (an HTTP error body, an `error` event of a run, a WebSocket `error` message) or a
 * network failure (`code` `NETWORK_ERROR`, recoverable). `code` is one of agentd's stable codes.
 */
export class AgentdError extends Error {
  readonly code: string;
  readonly severity: Severity;
  readonly recoverable: boolean;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(init: AgentdErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AgentdError';
    this.code = init.code;
    this.severity = init.severity;
    this.recoverable = init.recoverable;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.status = init.status ?? 0;
    this.details = init.details;
  }

  /** From an HTTP response that is not ok: its JSON error body when it has one. */
  static async fromResponse(res: Response): Promise<AgentdError> {
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
    const text = await res.text().catch(() => '');
    let body: Partial<ErrorBody> | undefined;
    try {
      body = (JSON.parse(text) as { error?: Partial<ErrorBody> }).error;
    } catch {
      // Not agentd's JSON (a proxy's page): described by its status below.
    }
    return new AgentdError({
      code: body?.code ?? (res.status >= 500 ? 'INTERNAL_ERROR' : 'HTTP_ERROR'),
      message: body?.message ?? `HTTP ${res.status} ${text.slice(0, 200)}`.trim(),
      severity: body?.severity ?? 'error',
      // A gateway's 502/503/504 without agentd's body is worth another try.
      recoverable: body?.recoverable ?? [502, 503, 504].includes(res.status),
      requestId: body?.requestId ?? res.headers.get('x-request-id') ?? undefined,
      status: res.status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(body?.details ? { details: body.details } : {}),
    });
  }

  /** A request that got no answer (connection refused or cut). */
  static network(cause: unknown): AgentdError {
    return new AgentdError({
      code: 'NETWORK_ERROR',
      message: cause instanceof Error ? cause.message : String(cause),
      severity: 'error',
      recoverable: true,
      cause,
    });
  }
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
