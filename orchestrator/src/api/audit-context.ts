import type { FastifyRequest } from 'fastify';
import type { AuditContext } from '../controlplane/audit-service.js';
import { principalOf } from './access.js';

const MAX_PERSON_LENGTH = 128;

export function auditContext(request: FastifyRequest): AuditContext {
  const principal = principalOf(request);
  const person = actingPerson(request.headers['x-admin-id']);
  return {
    actor: principal.actor,
    ...(person ? { person } : {}),
    requestId: request.id,
    credential: principal.credential,
  };
}

/**
 * X-Admin-ID is the caller's word, not a credential: it is recorded beside the key that acted, never instead
 * of it. Only a bounded run of plain characters is kept, so it cannot forge log lines or flood the audit log.
 */
export function actingPerson(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const clean = header.replace(/[^\w.@+:/-]/g, '').slice(0, MAX_PERSON_LENGTH);
  return clean === '' ? undefined : clean;
}
