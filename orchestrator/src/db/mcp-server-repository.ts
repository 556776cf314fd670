import { AgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { McpServer, McpServerInput, McpServerRepository } from '../store/mcp-server.js';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.js';
import { Prisma, type McpServer as McpServerRow, type PrismaClient } from './generated/client.js';

export class PrismaMcpServerRepository implements McpServerRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(tenantId: string, input: McpServerInput): Promise<McpServer> {
    try {
      const row = await this.prisma.mcpServer.create({
        data: { id: `mcp_${randomId(12)}`, tenantId, ...toData(input) },
      });
      return toMcpServer(row);
    } catch (err) {
      throw clash(err, input.name);
    }
  }

  async get(tenantId: string, id: string): Promise<McpServer | undefined> {
    const row = await this.prisma.mcpServer.findFirst({ where: { id, tenantId } });
    return row === null ? undefined : toMcpServer(row);
  }

  async list(tenantId: string): Promise<McpServer[]> {
    const rows = await this.prisma.mcpServer.findMany({ where: { tenantId }, orderBy: { name: 'asc' } });
    return rows.map(toMcpServer);
  }

  async replace(tenantId: string, id: string, input: McpServerInput): Promise<McpServer | undefined> {
    try {
      const result = await this.prisma.mcpServer.updateMany({ where: { id, tenantId }, data: toData(input) });
      return result.count === 0 ? undefined : await this.get(tenantId, id);
    } catch (err) {
      throw clash(err, input.name);
    }
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.prisma.mcpServer.deleteMany({ where: { id, tenantId } });
    return result.count > 0;
  }
}

function toData(input: McpServerInput): Omit<Prisma.McpServerUncheckedCreateInput, 'id' | 'tenantId'> {
  return {
    name: input.name,
    transport: input.transport,
    url: input.url,
    headers: input.headers,
    command: input.command,
    args: input.args,
    env: input.env,
    enabled: input.enabled,
    allowedTools: input.allowedTools === null ? Prisma.DbNull : input.allowedTools,
    timeoutMs: input.timeoutMs,
  };
}

function clash(err: unknown, name: string): unknown {
  if (isUniqueViolation(err))
    return new AgentdError('VALIDATION_FAILED', `an MCP server named ${name} exists`);
  if (isForeignKeyViolation(err)) return new AgentdError('NOT_FOUND', 'tenant not found');
  return err;
}

function toMcpServer(row: McpServerRow): McpServer {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    transport: row.transport === 'stdio' ? 'stdio' : 'http',
    url: row.url,
    headers: stringRecord(row.headers),
    command: row.command,
    args: row.args,
    env: stringRecord(row.env),
    enabled: row.enabled,
    allowedTools: Array.isArray(row.allowedTools) ? row.allowedTools.map(String) : null,
    timeoutMs: row.timeoutMs,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
