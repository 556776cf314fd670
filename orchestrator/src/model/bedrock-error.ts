import { AgentdError, isAgentdError } from '../common/errors.js';

/** Worth retrying later: the service is busy, not the request wrong. */
const RECOVERABLE = new Set(['ThrottlingException', 'ServiceUnavailableException', 'ModelNotReadyException']);
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
]);
/** How Bedrock words "the conversation no longer fits the model's context window". */
const TOO_LONG = /input is too long|prompt is too long|too many input tokens|context (window|length)/i;

/**
 * Maps what the SDK throws (a service exception before the stream, an exception frame inside it, a network
 * or abort error) to an AgentdError: RUN_CANCELLED once the caller's signal fired, CONTEXT_EXHAUSTED for an
 * input that is too long, MODEL_ERROR otherwise.
 */
export function toBedrockError(err: unknown, signal: AbortSignal): AgentdError {
  if (isAgentdError(err)) return err;
  if (signal.aborted || (err instanceof Error && err.name === 'AbortError')) {
    return new AgentdError('RUN_CANCELLED', 'model call cancelled', {
      cause: err,
      severity: 'warning',
      details: { provider: 'bedrock' },
    });
  }
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  const networkCode = (err as { code?: unknown } | null)?.code;
  const httpStatus = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const details = {
    provider: 'bedrock',
    awsCode: name,
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };
  if (name === 'ValidationException' && TOO_LONG.test(message)) {
    return new AgentdError('CONTEXT_EXHAUSTED', `Bedrock: ${message}`, { cause: err, details });
  }
  const recoverable =
    RECOVERABLE.has(name) ||
    NETWORK_ERRORS.has(name) ||
    (typeof networkCode === 'string' && NETWORK_ERRORS.has(networkCode));
  return new AgentdError('MODEL_ERROR', `Bedrock ${name}: ${message}`, { cause: err, recoverable, details });
}
