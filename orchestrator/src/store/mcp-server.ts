export type McpTransport = 'http' | 'stdio';

/** A tenant's MCP server as stored (docs/architecture.md: MCP servers). */
export interface McpServer {
  id: string;
  tenantId: string;
  /** Unique per tenant; part of the tool names the model sees (`mcp__<name>__<tool>`). */
  name: string;
  transport: McpTransport;
  url: string | null;
  /** Header templates: every value holds a `${secret:NAME}` reference, expanded by agentd on the host. */
  headers: Record<string, string>;
  command: string | null;
  args: string[];
  /** Environment of a stdio server (no secret references: a sandbox may read it). */
  env: Record<string, string>;
  enabled: boolean;
  /** Tools the model may see; null = all the server lists. */
  allowedTools: string[] | null;
  timeoutMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type McpServerInput = Omit<McpServer, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

export interface McpServerRepository {
  create(tenantId: string, input: McpServerInput): Promise<McpServer>;
  get(tenantId: string, id: string): Promise<McpServer | undefined>;
  list(tenantId: string): Promise<McpServer[]>;
  replace(tenantId: string, id: string, input: McpServerInput): Promise<McpServer | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}
