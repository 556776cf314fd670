import type { FastifyRequest } from 'fastify';
import type { AuditContext } from '../controlplane/audit-service.js';
import { principalOf } from './access.js';

export function auditContext(request: FastifyRequest): AuditContext {
  const principal = principalOf(request);
  return { actor: principal.actor, requestId: request.id, credential: principal.credential };
}
