import type { CallHomeClient } from './call-home-client.js';
import type { McpCallPath, McpCallRequest, McpCallResult, McpToolPrefix } from './protocol.js';
import { errorMessage } from './runner-error.js';

const CALL_PATH: McpCallPath = '/v1/mcp/call';
const PREFIX: McpToolPrefix = 'mcp__';

export function isMcpTool(name: string): boolean {
  return name.startsWith(PREFIX);
}

/**
 * Asks agentd to execute an MCP tool use (agentd connects to the server and bounds the result). A refusal or
 * a lost connection is a tool error the model sees, never a failed run.
 */
export async function callMcpTool(
  client: CallHomeClient,
  request: McpCallRequest,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<McpCallResult> {
  try {
    const res = await client.request({
      method: 'POST',
      path: CALL_PATH,
      body: JSON.stringify(request),
      timeoutMs,
      signal,
    });
    const body: unknown = JSON.parse(res.body.toString('utf8'));
    if (res.status === 200) return body as McpCallResult;
    const message = (body as { error?: { message?: unknown } }).error?.message;
    return failure(
      `agentd refused the MCP call: ${typeof message === 'string' ? message : `status ${res.status}`}`,
    );
  } catch (err) {
    return failure(
      signal.aborted ? `${request.name} was cancelled` : `${request.name} failed: ${errorMessage(err)}`,
    );
  }
}

function failure(message: string): McpCallResult {
  return { content: [{ text: message }], output: message, isError: true, truncated: false };
}
