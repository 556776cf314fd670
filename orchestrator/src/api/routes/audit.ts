import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { buildAuditFiling, type ProfileEvidence } from '../../audit/audit-filing.js';
import type { IsolationAuditor } from '../../audit/isolation-auditor.js';
import { renderAuditMarkdown } from '../../audit/render-markdown.js';
import { renderAuditReport } from '../../audit/report-format.js';
import type { AuditService } from '../../controlplane/audit-service.js';
import { AuditedProfileSchema } from '../audit-schemas.js';
import { AuditQuery, AuditSchema } from '../control-schemas.js';
import { page } from '../schemas.js';
import { auditJson } from '../serializers.js';

/** The parts of a hardening profile that security teams read: the filed evidence plus the files' contents. */
export interface AuditedProfile extends ProfileEvidence {
  seccompJson: string;
  apparmorText: string;
}

export interface AuditRoutesOptions {
  audit: AuditService;
  auditor: IsolationAuditor;
  profiles: () => ReadonlyMap<string, AuditedProfile>;
  /** agentd's version, printed on the filed report. */
  version: string;
}

/** For security teams: what each profile contains, what each live sandbox really has, and who did what. */
export const auditLogRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (
  app,
  { audit, auditor, profiles, version },
) => {
  const tags = ['audit'];
  app.get(
    '/api/audit/log',
    {
      schema: {
        querystring: AuditQuery,
        response: { 200: page(AuditSchema) },
        tags,
        summary: 'Admin actions, newest first (paged)',
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const { limit, cursor, actor, action } = request.query;
      const result = await audit.list(
        { limit: limit ?? 50, cursor },
        { ...(actor ? { actor } : {}), ...(action ? { action } : {}) },
      );
      return { items: result.items.map(auditJson), nextCursor: result.nextCursor };
    },
  );
  app.get(
    '/api/audit/profiles',
    {
      schema: {
        response: { 200: page(AuditedProfileSchema) },
        tags,
        summary: 'Each hardening profile with its seccomp and AppArmor contents and SHA-256',
      },
      config: { access: 'admin' },
    },
    async () => ({
      items: [...profiles().values()].map((p) => ({
        name: p.name,
        version: p.version,
        description: p.description,
        runtime: p.runtime,
        network: p.network,
        limits: p.limits,
        seccomp: {
          file: p.seccompProfile,
          sha256: p.seccompSha256,
          content: JSON.parse(p.seccompJson) as unknown,
        },
        apparmor: { name: p.apparmorProfile, sha256: p.apparmorSha256, content: p.apparmorText },
      })),
      nextCursor: null,
    }),
  );
  app.get(
    '/api/audit/sandboxes',
    {
      schema: {
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('markdown')])),
        }),
        tags,
        summary:
          'Audit every live sandbox of this node through the engine and the host kernel (JSON or Markdown)',
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const report = await auditor.audit();
      if (request.query.format === 'markdown')
        return reply.type('text/markdown; charset=utf-8').send(renderAuditMarkdown(report));
      return report;
    },
  );
  app.get(
    '/api/audit/report',
    {
      schema: {
        querystring: Type.Object({
          format: Type.Optional(
            Type.Union([
              Type.Literal('html'),
              Type.Literal('json'),
              Type.Literal('markdown'),
              Type.Literal('sarif'),
            ]),
          ),
        }),
        tags,
        summary:
          'The audit as a dated report to file (HTML, JSON, Markdown or SARIF 2.1.0): host facts, every check with its evidence, profiles, counts and a sign-off block',
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const filing = buildAuditFiling(await auditor.audit(), [...profiles().values()], version);
      const rendered = renderAuditReport(filing, request.query.format ?? 'json');
      const date = filing.generatedAt.slice(0, 10);
      const file = `agentd-audit-${filing.node.replace(/[^A-Za-z0-9._-]/g, '_')}-${date}.${rendered.extension}`;
      if (rendered.contentSecurityPolicy)
        reply.header('content-security-policy', rendered.contentSecurityPolicy);
      return reply
        .type(rendered.contentType)
        .header('content-disposition', `inline; filename="${file}"`)
        .send(rendered.body);
    },
  );
};
