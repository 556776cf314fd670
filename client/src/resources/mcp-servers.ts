import type { RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

const ONE = '/api/tenants/{tenantId}/mcp-servers/{serverId}';

/** A tenant's MCP servers (header templates, never secret values). */
export class McpServers {
  constructor(private readonly http: Http) {}

  list(tenantId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/mcp-servers', { path: { tenantId }, ...options });
  }
  create(
    tenantId: string,
    body: RequestBody<'POST /api/tenants/{tenantId}/mcp-servers'>,
    options?: CallOptions,
  ) {
    return this.http.json('POST /api/tenants/{tenantId}/mcp-servers', {
      path: { tenantId },
      body,
      ...options,
    });
  }
  get(tenantId: string, serverId: string, options?: CallOptions) {
    return this.http.json(`GET ${ONE}`, { path: { tenantId, serverId }, ...options });
  }
  replace(tenantId: string, serverId: string, body: RequestBody<`PUT ${typeof ONE}`>, options?: CallOptions) {
    return this.http.json(`PUT ${ONE}`, { path: { tenantId, serverId }, body, ...options });
  }
  async delete(tenantId: string, serverId: string, options?: CallOptions) {
    await this.http.send(`DELETE ${ONE}`, { path: { tenantId, serverId }, ...options });
  }
  /** Connects from agentd and lists the tools (502 `MCP_ERROR` naming why). */
  check(tenantId: string, serverId: string, options?: CallOptions) {
    return this.http.json(`POST ${ONE}/check`, { path: { tenantId, serverId }, ...options });
  }
}
