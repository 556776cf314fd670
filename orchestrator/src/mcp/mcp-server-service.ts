import { AgentdError, NotFoundError } from '../common/errors.js';
import type { AuditContext, AuditService } from '../controlplane/audit-service.js';
import type { McpServer, McpServerInput, McpTransport } from '../store/mcp-server.js';
import type { Store } from '../store/repositories.js';
import type { McpConnector } from './mcp-connector.js';
import { mcpError } from './mcp-failure.js';
import { checkMcpServer } from './mcp-server-rules.js';
import { exposedToolName } from './tool-names.js';

export type { McpServer };

/** A server as the API takes it: optional fields default to "none". */
export interface McpServerBody {
  name: string;
  transport: McpTransport;
  url?: string | null | undefined;
  headers?: Record<string, string> | undefined;
  command?: string | null | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  enabled?: boolean | undefined;
  allowedTools?: string[] | null | undefined;
  timeoutMs?: number | null | undefined;
}

export interface McpCheckResult {
  tools: { name: string; exposedName: string; description: string | null }[];
  /** The server listed more tools than a run is offered. */
  capped: boolean;
}

export interface McpServerServiceOptions {
  store: Store;
  audit: AuditService;
  connector: McpConnector;
  defaultTimeoutMs: number;
  maxToolsPerServer: number;
}

/** A tenant's MCP servers: validated, stored, audited, and checked on demand (connect and list tools). */
export class McpServerService {
  constructor(private readonly options: McpServerServiceOptions) {}

  async list(tenantId: string): Promise<McpServer[]> {
    await this.#tenant(tenantId);
    return this.options.store.mcpServers.list(tenantId);
  }

  async get(tenantId: string, id: string): Promise<McpServer> {
    const server = await this.options.store.mcpServers.get(tenantId, id);
    if (!server) throw new NotFoundError('MCP server', id);
    return server;
  }

  async create(context: AuditContext, tenantId: string, body: McpServerBody): Promise<McpServer> {
    await this.#tenant(tenantId);
    const input = toInput(body);
    checkMcpServer(input);
    const server = await this.options.store.mcpServers.create(tenantId, input);
    await this.options.audit.record(
      context,
      'mcp_server.create',
      `mcp_server:${server.id}`,
      auditDetails(server),
    );
    return server;
  }

  async replace(
    context: AuditContext,
    tenantId: string,
    id: string,
    body: McpServerBody,
  ): Promise<McpServer> {
    const input = toInput(body);
    checkMcpServer(input);
    const server = await this.options.store.mcpServers.replace(tenantId, id, input);
    if (!server) throw new NotFoundError('MCP server', id);
    await this.options.audit.record(context, 'mcp_server.update', `mcp_server:${id}`, auditDetails(server));
    return server;
  }

  async delete(context: AuditContext, tenantId: string, id: string): Promise<void> {
    if (!(await this.options.store.mcpServers.delete(tenantId, id)))
      throw new NotFoundError('MCP server', id);
    await this.options.audit.record(context, 'mcp_server.delete', `mcp_server:${id}`, { tenantId });
  }

  /** Connects from agentd (remote servers only) and lists the tools a run would be offered. */
  async check(context: AuditContext, tenantId: string, id: string): Promise<McpCheckResult> {
    const server = await this.get(tenantId, id);
    await this.options.audit.record(context, 'mcp_server.check', `mcp_server:${id}`, {
      tenantId,
      name: server.name,
    });
    if (server.transport === 'stdio') {
      throw new AgentdError(
        'VALIDATION_FAILED',
        'a stdio server runs inside a sandbox, so it is checked at the start of each run that uses it (a warning event names a failure)',
      );
    }
    const timeoutMs = server.timeoutMs ?? this.options.defaultTimeoutMs;
    let connection;
    try {
      connection = await this.options.connector.http(server, timeoutMs);
      const listing = await connection.listTools(this.options.maxToolsPerServer, timeoutMs);
      const allowed = server.allowedTools;
      const tools = allowed === null ? listing.tools : listing.tools.filter((t) => allowed.includes(t.name));
      return {
        capped: listing.capped,
        tools: tools.map((t) => ({
          name: t.name,
          exposedName: exposedToolName(server.name, t.name),
          description: t.description ?? null,
        })),
      };
    } catch (err) {
      throw mcpError(`MCP server ${server.name}`, err, timeoutMs);
    } finally {
      await connection?.close();
    }
  }

  async #tenant(tenantId: string): Promise<void> {
    if (!(await this.options.store.tenants.get(tenantId))) throw new NotFoundError('tenant', tenantId);
  }
}

function toInput(body: McpServerBody): McpServerInput {
  return {
    name: body.name,
    transport: body.transport,
    url: body.url ?? null,
    headers: body.headers ?? {},
    command: body.command ?? null,
    args: body.args ?? [],
    env: body.env ?? {},
    enabled: body.enabled ?? true,
    allowedTools: body.allowedTools ?? null,
    timeoutMs: body.timeoutMs ?? null,
  };
}

/** Header names only: their values are secret references, but an audit record needs no more than the names. */
function auditDetails(server: McpServer): Record<string, unknown> {
  return {
    tenantId: server.tenantId,
    name: server.name,
    transport: server.transport,
    url: server.url,
    headers: Object.keys(server.headers),
    command: server.command,
    enabled: server.enabled,
  };
}
