import type { McpCallPath } from '@agentd/sandbox-runner/protocol';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { readJson } from '../callhome/read-body.js';
import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { validate } from '../common/validate.js';
import type { AuditService } from '../controlplane/audit-service.js';
import { McpCallRequestSchema } from '../protocol/run-schemas.js';
import type { ActiveRun } from '../runs/active-run.js';
import { McpCallRefused } from './mcp-run-session.js';
import type { McpRunTools } from './mcp-run-tools.js';

const CALL_PATH: McpCallPath = '/v1/mcp/call';
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface McpCallRouteOptions {
  callHome: CallHomeServer;
  tools: McpRunTools;
  /** The run `runId` if it is active on this node AND runs in the sandbox the request came from. */
  findRun: (runId: string, sandboxId: string) => ActiveRun | undefined;
  audit: AuditService;
  logger: Logger;
}

/**
 * The runner asks agentd to execute an MCP tool use. Agent code can call this socket too, so agentd executes
 * only a tool use its own gateway recorded in the current turn (id, name and input alike), once; anything
 * else is refused with 403 and audited.
 */
export function installMcpCallRoute(options: McpCallRouteOptions): void {
  const log = options.logger.child({ component: 'mcp-call' });
  options.callHome.route('POST', CALL_PATH, async ({ channel, req, res }) => {
    const request = validate(
      McpCallRequestSchema,
      await readJson(req, MAX_REQUEST_BYTES, 30_000),
      'MCP call',
    );
    const run = options.findRun(request.runId, channel.sandboxId);
    if (!run) throw new AgentdError('NOT_FOUND', `no active run ${request.runId} in this sandbox`);
    const session = options.tools.sessionOf(run);
    try {
      if (!session) throw new McpCallRefused('the run has no MCP tools');
      const result = await session.call(request);
      const body = JSON.stringify(result);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    } catch (err) {
      if (!(err instanceof McpCallRefused)) throw err;
      log.warn(
        { runId: run.id, sandboxId: channel.sandboxId, toolUseId: request.toolUseId, reason: err.message },
        'Refused an MCP call',
      );
      await options.audit
        .record(
          { actor: `sandbox:${channel.sandboxId}`, requestId: null },
          'mcp.call.refused',
          `run:${run.id}`,
          {
            tenantId: run.tenant.id,
            toolUseId: request.toolUseId,
            name: request.name,
            reason: err.message,
          },
        )
        .catch((e: unknown) => log.error({ err: e }, 'Could not audit a refused MCP call'));
      const body = JSON.stringify({ error: { code: 'FORBIDDEN', message: err.message } });
      res
        .writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    }
  });
}
