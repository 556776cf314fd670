import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AgentdError, isAgentdError, type ErrorCode, type Severity } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import { redactCredentials } from '../common/redact-url.js';
import { httpStatusOf } from './http-status.js';

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    severity: Severity;
    recoverable: boolean;
    requestId: string;
    details?: Record<string, unknown>;
  };
}

/**
 * One error handler for the whole API: domain errors keep their code, Fastify's own client errors (schema,
 * body size, content type, bad JSON) become VALIDATION_FAILED, and anything unexpected is a 500 whose message
 * is hidden from the client and logged with the request id — never disguised as a 400.
 */
export function installErrorHandler(
  app: FastifyInstance,
  onError: (code: ErrorCode) => void = () => undefined,
): void {
  app.setErrorHandler((error: FastifyError | AgentdError | Error, request, reply) => {
    const { status, err } = classify(error);
    onError(err.code);
    if (status >= 500 && err.code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'Request failed');
    else if (status >= 500) request.log.warn({ code: err.code, reason: err.message }, 'Request failed');
    sendError(request, reply, status, err);
  });
  app.setNotFoundHandler((request, reply) => {
    onError('NOT_FOUND');
    sendError(
      request,
      reply,
      404,
      new AgentdError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
    );
  });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  err: AgentdError,
): void {
  const hideMessage = status >= 500 && err.code === 'INTERNAL_ERROR';
  const body: ErrorBody = {
    error: {
      code: err.code,
      // A message may quote the request's URL: its credentials never go back out (or into a proxy's log).
      message: hideMessage
        ? 'internal error; the request id identifies it in the logs'
        : redactCredentials(err.message),
      severity: err.severity,
      recoverable: err.recoverable,
      requestId: request.id,
      ...(err.details && !hideMessage ? { details: redactDetails(err.details) } : {}),
    },
  };
  if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
  if (err.code === 'RATE_LIMITED' && typeof err.details?.limit === 'number') {
    void reply.header('x-ratelimit-limit', String(err.details.limit));
    void reply.header('x-ratelimit-remaining', '0');
    if (typeof err.details.resetSeconds === 'number')
      void reply.header('x-ratelimit-reset', String(err.details.resetSeconds));
  }
  void reply.status(status).type('application/json').send(body);
}

function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(details);
  const redacted = redactCredentials(text);
  return redacted === text ? details : (JSON.parse(redacted) as Record<string, unknown>);
}

function classify(error: FastifyError | AgentdError | Error): { status: number; err: AgentdError } {
  if (isAgentdError(error)) return { status: httpStatusOf(error), err: error };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const issues = fastifyError.validation.map(
      (v) => `${fastifyError.validationContext ?? 'request'}${v.instancePath}: ${v.message ?? 'invalid'}`,
    );
    return {
      status: 400,
      err: new AgentdError('VALIDATION_FAILED', `invalid request: ${issues.join('; ')}`, {
        details: { issues },
      }),
    };
  }
  const status = fastifyError.statusCode;
  if (status === 429) {
    return { status, err: new AgentdError('RATE_LIMITED', error.message, { recoverable: true }) };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors: body too large (413), bad JSON (400), unsupported media type (415) …
    const err = new AgentdError(
      status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404
            ? 'NOT_FOUND'
            : 'VALIDATION_FAILED',
      error.message,
    );
    return { status, err };
  }
  return { status: 500, err: new AgentdError('INTERNAL_ERROR', error.message, { cause: error }) };
}

/** Errors Fastify's router raises before any hook runs: the request id and the error shape still apply. */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is too long'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the URL is not valid (bad percent-encoding)'
        : 'invalid request';
  sendError(request, reply, 400, new AgentdError('VALIDATION_FAILED', message));
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (control characters in a header, a header block
 * over the limit, a malformed request line) get the same error shape as every other error, and a request id.
 */
export function writeClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = `req_${randomId(16)}`;
  const body: ErrorBody = {
    error: {
      code: 'VALIDATION_FAILED',
      message:
        status === 431
          ? 'request headers are too large'
          : status === 408
            ? 'request timed out'
            : 'malformed HTTP request',
      severity: 'error',
      recoverable: false,
      requestId,
    },
  };
  const payload = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n` +
        `x-request-id: ${requestId}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${payload}`,
    );
  }
  socket.destroy(err);
}
