import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import type { WorkspaceFiles } from '../../workspace/workspace-files.js';
import { ConversationParams, page } from '../schemas.js';

/** The wildcard param (`*`, the file path) stays out of the schema: TypeBox reads property names as patterns. */
const FileParams = ConversationParams;
/** So the OpenAPI document declares the wildcard it would otherwise leave undeclared (`{*}`), as `{path}`. */
const documentFilePath: SwaggerTransform = ({ schema, url }) => ({
  url: url.replace(/\*$/, ':path'),
  schema: {
    ...schema,
    params: Type.Object({
      ...ConversationParams.properties,
      path: Type.String({ description: 'the file path, relative to /workspace (may contain slashes)' }),
    }),
  },
});
const FileInfo = Type.Object({
  path: Type.String(),
  size: Type.Integer(),
  etag: Type.String(),
  modified: Type.String(),
  executable: Type.Boolean(),
});
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
  cursor: Type.Optional(Type.String({ maxLength: 2048 })),
});

/**
 * `/api/tenants/{tenantId}/conversations/{conversationId}/workspace/files[/{path}]`: list, streamed download,
 * streamed upload (size-limited), delete. Bodies are raw bytes whatever their content type.
 */
export const workspaceRoutes: FastifyPluginAsyncTypebox<{ files: WorkspaceFiles }> = async (
  app,
  { files },
) => {
  const tags = ['workspace'];
  const base = '/api/tenants/:tenantId/conversations/:conversationId/workspace/files';
  const config = { access: 'tenant' as const };
  const fileConfig = { ...config, swaggerTransform: documentFilePath };
  const downloadSchema = { params: FileParams, tags, summary: 'Download a file (streamed)' };
  // Encapsulated in this plugin: an upload is streamed to the store, never parsed (not even as JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.get(
    base,
    {
      schema: {
        params: ConversationParams,
        querystring: ListQuery,
        response: { 200: page(FileInfo) },
        tags,
        summary: 'Files of the workspace (paged)',
      },
      config,
    },
    async (request) => {
      const { tenantId, conversationId } = request.params;
      return files.list(tenantId, conversationId, {
        limit: request.query.limit ?? 1000,
        cursor: request.query.cursor,
      });
    },
  );
  app.get(`${base}/*`, { schema: downloadSchema, config: fileConfig }, async (request, reply) => {
    const { tenantId, conversationId } = request.params;
    const { info, body } = await files.download(tenantId, conversationId, filePath(request.params));
    void reply.header('etag', info.etag).header('last-modified', new Date(info.modified).toUTCString());
    if (request.headers['if-none-match'] === info.etag) {
      body.destroy();
      return reply.status(304).send();
    }
    return reply.type('application/octet-stream').header('content-length', String(info.size)).send(body);
  });
  app.put(
    `${base}/*`,
    {
      schema: {
        params: FileParams,
        response: { 200: FileInfo, 201: FileInfo },
        tags,
        summary: 'Upload a file (streamed, within the quota)',
      },
      config: fileConfig,
    },
    async (request, reply) => {
      const { tenantId, conversationId } = request.params;
      const declared = request.headers['content-length'];
      const body = (request.body ?? request.raw) as Readable;
      let result;
      try {
        result = await files.upload(
          tenantId,
          conversationId,
          filePath(request.params),
          body,
          declared === undefined ? undefined : Number(declared),
        );
      } catch (err) {
        // A refused upload may still be sending: close the connection rather than read the rest.
        void reply.header('connection', 'close');
        throw err;
      }
      void reply.header('etag', result.info.etag).header('x-workspace-version', String(result.version));
      return reply.status(result.created ? 201 : 200).send(result.info);
    },
  );
  app.delete(
    `${base}/*`,
    {
      schema: { params: FileParams, response: { 204: Type.Null() }, tags, summary: 'Delete a file' },
      config: fileConfig,
    },
    async (request, reply) => {
      const { tenantId, conversationId } = request.params;
      const version = await files.remove(tenantId, conversationId, filePath(request.params));
      void reply.header('x-workspace-version', String(version));
      return reply.status(204).send(null);
    },
  );
};

function filePath(params: object): string {
  return (params as Record<string, string | undefined>)['*'] ?? '';
}
