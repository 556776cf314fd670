import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { AuditService } from '../controlplane/audit-service.js';
import { limitedFetch } from '../mcp/limited-fetch.js';
import { installMcpCallRoute } from '../mcp/mcp-call-route.js';
import { McpConnector } from '../mcp/mcp-connector.js';
import { McpRunTools } from '../mcp/mcp-run-tools.js';
import { McpServerService } from '../mcp/mcp-server-service.js';
import { StdioChannels } from '../mcp/stdio-channels.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OutboundGuard } from '../outbound/outbound-guard.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { RunEventLog } from '../runs/run-event-log.js';
import type { SecretResolver } from '../secrets/secret-resolver.js';
import type { Store } from '../store/repositories.js';

/** A response body from a remote MCP server beyond this ends the call (results are cut far below it). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** One JSON-RPC line from a stdio server. */
const MAX_LINE_BYTES = 32 * 1024 * 1024;
/** Tools one server may offer a run (a model handles a few hundred tools at most). */
const MAX_TOOLS_PER_SERVER = 128;

export interface McpSubsystemDeps {
  config: AgentdConfig;
  store: Store;
  audit: AuditService;
  callHome: CallHomeServer;
  eventLog: RunEventLog;
  secrets: SecretResolver;
  /** The outbound address rules remote servers are reached through (with AGENTD_MCP_ALLOW_ADDRESSES). */
  outbound: OutboundGuard;
  metrics: Metrics;
  logger: Logger;
}

/** Tenants' MCP servers: the API's service, the gateway's run tools, and (once runs exist) the call route. */
export function createMcpSubsystem(deps: McpSubsystemDeps) {
  const { config, store, metrics, logger } = deps;
  const connector = new McpConnector({
    secrets: deps.secrets,
    fetch: limitedFetch(deps.outbound.createFetch(config.mcp.allowAddresses), MAX_RESPONSE_BYTES),
    stdio: new StdioChannels(deps.callHome),
    maxLineBytes: MAX_LINE_BYTES,
  });
  const tools = new McpRunTools({
    store,
    connector,
    limits: {
      defaultTimeoutMs: config.mcp.defaultTimeoutMs,
      maxToolsPerServer: MAX_TOOLS_PER_SERVER,
      maxDescriptionChars: 4096,
      maxSchemaBytes: 64 * 1024,
      images: { imageBytes: 3_750_000, maxImages: 8 },
    },
    metrics,
    logger,
    warn: async (run, message) => {
      await deps.eventLog.append(run.id, { type: 'warning', code: 'MCP_ERROR', message });
    },
  });
  const service = new McpServerService({
    store,
    audit: deps.audit,
    connector,
    defaultTimeoutMs: config.mcp.defaultTimeoutMs,
    maxToolsPerServer: MAX_TOOLS_PER_SERVER,
  });
  return {
    tools,
    service,
    installCallRoute: (findRun: (runId: string, sandboxId: string) => ActiveRun | undefined) =>
      installMcpCallRoute({ callHome: deps.callHome, tools, findRun, audit: deps.audit, logger }),
  };
}
