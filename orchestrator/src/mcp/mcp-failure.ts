import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AgentdError, isAgentdError } from '../common/errors.js';

/** What went wrong with a server, in words safe to show the model or an API caller (never its body). */
export function describeMcpFailure(err: unknown, timeoutMs: number): string {
  const own = findAgentdError(err);
  if (own?.code === 'EGRESS_DENIED') return `the server's address is not allowed (${own.message})`;
  if (own) return own.message;
  if (err instanceof McpError) {
    if (err.code === (ErrorCode.RequestTimeout as number))
      return `the server did not answer within ${timeoutMs} ms`;
    if (err.code === (ErrorCode.ConnectionClosed as number)) return 'the server closed the connection';
    return `the server answered with error ${err.code}`;
  }
  const status = httpStatusOf(err);
  // The SDK follows redirects only within the origin; anything else is refused, never followed.
  if (status !== undefined && status < 400)
    return `the server redirected elsewhere (HTTP ${status}; not followed)`;
  if (status !== undefined) return `the server answered HTTP ${status}`;
  return 'the server could not be reached or answered something that is not MCP';
}

/** The agentd error somewhere in a cause chain (the SDK wraps what the guarded fetch throws). */
export function findAgentdError(err: unknown): AgentdError | undefined {
  for (let current = err, depth = 0; current !== undefined && depth < 8; depth++) {
    if (isAgentdError(current)) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 300 && code < 600 ? code : undefined;
}

export function mcpError(what: string, err: unknown, timeoutMs: number): AgentdError {
  return new AgentdError('MCP_ERROR', `${what}: ${describeMcpFailure(err, timeoutMs)}`, { cause: err });
}
