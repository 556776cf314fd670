import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { McpServer, McpServerService } from '../../mcp/mcp-server-service.js';
import { auditContext } from '../audit-context.js';
import { McpCheckSchema, McpServerBody, McpServerParams, McpServerSchema } from '../mcp-server-schemas.js';
import { TenantParams } from '../schemas.js';

export const mcpServerRoutes: FastifyPluginAsyncTypebox<{ mcpServers: McpServerService }> = async (
  app,
  { mcpServers },
) => {
  const tags = ['mcp-servers'];
  const config = { access: 'tenant' as const };
  app.get(
    '/api/tenants/:tenantId/mcp-servers',
    {
      schema: {
        params: TenantParams,
        response: { 200: Type.Object({ items: Type.Array(McpServerSchema) }) },
        tags,
        summary: 'The tenant’s MCP servers',
      },
      config,
    },
    async (request) => ({ items: (await mcpServers.list(request.params.tenantId)).map(mcpServerJson) }),
  );
  app.post(
    '/api/tenants/:tenantId/mcp-servers',
    {
      schema: {
        params: TenantParams,
        body: McpServerBody,
        response: { 201: McpServerSchema },
        tags,
        summary: 'Register an MCP server',
      },
      config,
    },
    async (request, reply) => {
      const server = await mcpServers.create(auditContext(request), request.params.tenantId, request.body);
      return reply.status(201).send(mcpServerJson(server));
    },
  );
  app.get(
    '/api/tenants/:tenantId/mcp-servers/:serverId',
    {
      schema: {
        params: McpServerParams,
        response: { 200: McpServerSchema },
        tags,
        summary: 'One MCP server',
      },
      config,
    },
    async (request) => mcpServerJson(await mcpServers.get(request.params.tenantId, request.params.serverId)),
  );
  app.put(
    '/api/tenants/:tenantId/mcp-servers/:serverId',
    {
      schema: {
        params: McpServerParams,
        body: McpServerBody,
        response: { 200: McpServerSchema },
        tags,
        summary: 'Replace an MCP server',
      },
      config,
    },
    async (request) =>
      mcpServerJson(
        await mcpServers.replace(
          auditContext(request),
          request.params.tenantId,
          request.params.serverId,
          request.body,
        ),
      ),
  );
  app.delete(
    '/api/tenants/:tenantId/mcp-servers/:serverId',
    {
      schema: {
        params: McpServerParams,
        response: { 204: Type.Null() },
        tags,
        summary: 'Remove an MCP server',
      },
      config,
    },
    async (request, reply) => {
      await mcpServers.delete(auditContext(request), request.params.tenantId, request.params.serverId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/tenants/:tenantId/mcp-servers/:serverId/check',
    {
      schema: {
        params: McpServerParams,
        response: { 200: McpCheckSchema },
        tags,
        summary: 'Connect and list the tools',
      },
      config,
    },
    async (request) =>
      mcpServers.check(auditContext(request), request.params.tenantId, request.params.serverId),
  );
};

function mcpServerJson(server: McpServer) {
  return { ...server, createdAt: server.createdAt.toISOString(), updatedAt: server.updatedAt.toISOString() };
}
