import type { FastifyRequest } from 'fastify';
import type { AuditContext } from '../controlplane/audit-service.js';
import { principalOf } from './access.js';

export function auditContext(request: FastifyRequest): AuditContext {
  return { actor: principalOf(request).actor, requestId: request.id };
}
