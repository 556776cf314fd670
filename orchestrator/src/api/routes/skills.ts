import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import type { SkillService, StoredSkill } from '../../skills/skill-service.js';
import { auditContext } from '../audit-context.js';
import { ConversationParams, page, TenantParams } from '../schemas.js';

const SkillName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' });
const SkillParams = Type.Object({ tenantId: TenantParams.properties.tenantId, name: SkillName });
const SkillSchema = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  description: Type.String(),
  sizeBytes: Type.Integer(),
  fileCount: Type.Integer(),
  digest: Type.String(),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const SkillDetail = Type.Object({
  ...SkillSchema.properties,
  files: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() })),
});
const SkillChoice = Type.Object(
  { skills: Type.Union([Type.Array(SkillName, { maxItems: 64 }), Type.Null()]) },
  { additionalProperties: false },
);
/** Checked for shape after the conversation is found: another tenant's conversation must answer 404, not 400. */
const SkillChoiceBody = Type.Object({
  skills: Type.Optional(Type.Union([Type.Array(SkillName, { maxItems: 64 }), Type.Null()])),
});
const uploadDescription =
  'A tar (application/x-tar, gzip allowed: application/gzip), a zip (application/zip) or a JSON file map ' +
  '(application/json: {name?, enabled?, files: {"SKILL.md": "...", "scripts/x.py": "..."}}). SKILL.md needs YAML ' +
  'front matter with name and description. Refused uploads answer 400 or 413 with the reason; nothing is stored.';

export function skillJson(skill: StoredSkill) {
  return {
    name: skill.name,
    version: skill.version,
    description: skill.description,
    sizeBytes: skill.sizeBytes,
    fileCount: skill.fileCount,
    digest: skill.digest,
    enabled: skill.enabled,
    createdAt: skill.createdAt.toISOString(),
    updatedAt: skill.updatedAt.toISOString(),
  };
}

/**
 * `/api/tenants/{tenantId}/skills[/{name}]` (Agent Skills: upload, list, read, replace, delete) and the skills
 * a conversation chose, `/api/tenants/{tenantId}/conversations/{conversationId}/skills`.
 */
export const skillRoutes: FastifyPluginAsyncTypebox<{ skills: SkillService }> = async (app, { skills }) => {
  const tags = ['skills'];
  const base = '/api/tenants/:tenantId/skills';
  const config = { access: 'tenant' as const };

  app.get(
    base,
    {
      schema: {
        params: TenantParams,
        response: { 200: page(SkillSchema) },
        tags,
        summary: "The tenant's skills",
      },
      config,
    },
    async (request) => ({
      items: (await skills.list(request.params.tenantId)).map(skillJson),
      nextCursor: null,
    }),
  );
  app.get(
    `${base}/:name`,
    {
      schema: {
        params: SkillParams,
        response: { 200: SkillDetail },
        tags,
        summary: 'One skill and its files',
      },
      config,
    },
    async (request) => {
      const { skill, files } = await skills.get(request.params.tenantId, request.params.name);
      return { ...skillJson(skill), files };
    },
  );
  app.delete(
    `${base}/:name`,
    {
      schema: { params: SkillParams, response: { 204: Type.Null() }, tags, summary: 'Delete a skill' },
      config,
    },
    async (request, reply) => {
      await skills.delete(auditContext(request), request.params.tenantId, request.params.name);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/tenants/:tenantId/conversations/:conversationId/skills',
    {
      schema: {
        params: ConversationParams,
        response: { 200: SkillChoice },
        tags,
        summary: 'The skills a conversation chose (null: all enabled)',
      },
      config,
    },
    async (request) => ({
      skills: await skills.choice(request.params.tenantId, request.params.conversationId),
    }),
  );
  app.put(
    '/api/tenants/:tenantId/conversations/:conversationId/skills',
    {
      schema: {
        params: ConversationParams,
        body: SkillChoiceBody,
        response: { 200: SkillChoice },
        tags,
        summary: "Choose a subset of the tenant's skills for a conversation (null: all enabled)",
      },
      config,
    },
    async (request) => {
      const { tenantId, conversationId } = request.params;
      const { skills: names, ...extra } = request.body as Record<string, unknown> & {
        skills?: string[] | null;
      };
      return { skills: await skills.choose(auditContext(request), tenantId, conversationId, names, extra) };
    },
  );

  // Uploads are streamed into the validator, never parsed by Fastify (not even JSON: it has its own limits).
  const uploadRoutes: FastifyPluginAsyncTypebox = async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    uploads.post(
      base,
      {
        schema: {
          params: TenantParams,
          response: { 201: SkillSchema },
          tags,
          summary: 'Register a skill',
          description: uploadDescription,
        },
        config,
      },
      async (request, reply) => {
        const body = (request.body ?? request.raw) as Readable;
        const skill = await refusingCloses(reply, body, () =>
          skills.create(
            auditContext(request),
            request.params.tenantId,
            request.headers['content-type'],
            body,
          ),
        );
        return reply.status(201).send(skillJson(skill));
      },
    );
    uploads.put(
      `${base}/:name`,
      {
        schema: {
          params: SkillParams,
          response: { 200: SkillSchema, 201: SkillSchema },
          tags,
          summary: "Replace a skill's files (or create it), or toggle enabled with a JSON {enabled}",
          description: uploadDescription,
        },
        config,
      },
      async (request, reply) => {
        const body = (request.body ?? request.raw) as Readable;
        const { skill, created } = await refusingCloses(reply, body, () =>
          skills.replace(
            auditContext(request),
            request.params.tenantId,
            request.params.name,
            request.headers['content-type'],
            body,
          ),
        );
        return reply.status(created ? 201 : 200).send(skillJson(skill));
      },
    );
  };
  await app.register(uploadRoutes);
};

/** A refused upload may still be sending (a 1 GB entry): answer at once and close rather than read the rest. */
async function refusingCloses<T>(reply: FastifyReply, body: Readable, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!body.readableEnded) void reply.header('connection', 'close');
    throw err;
  }
}
