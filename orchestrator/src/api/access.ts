import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import type { Principal } from '../auth/principal.js';
import { AgentdError, NotFoundError } from '../common/errors.js';

/** Who may call a route: nobody needs a key (`public`), any valid key, an admin key, or a key of the path's tenant. */
export type Access = 'public' | 'authenticated' | 'admin' | 'tenant';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function readApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

/**
 * Authenticates every request before anything else runs. A tenant key on another tenant's path gets 404,
 * exactly like a tenant that does not exist, so nothing about other tenants leaks.
 */
export function installAccessControl(app: FastifyInstance, auth: ApiKeyAuth): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'authenticated';
    if (access === 'public') return;
    const principal = await auth.authenticate(readApiKey(request));
    request.principal = principal;
    const tenantHeader = headerValue(request, 'x-tenant-id');
    const userHeader = headerValue(request, 'x-user-id');
    request.log = request.log.child({
      actor: principal.actor,
      ...(tenantHeader ? { tenantHeader } : {}),
      ...(userHeader ? { userHeader } : {}),
    });
    if (access === 'admin' && principal.scope !== 'admin') {
      throw new AgentdError('FORBIDDEN', 'this route needs an admin key');
    }
    if (access === 'tenant')
      checkTenantAccess(principal, (request.params as { tenantId?: string }).tenantId ?? '');
  });
}

/** A tenant key may act only on its own tenant; another tenant looks exactly like one that does not exist. */
export function checkTenantAccess(principal: Principal, tenantId: string): void {
  if (principal.scope === 'tenant' && principal.tenantId !== tenantId)
    throw new NotFoundError('tenant', tenantId);
}

/** The X-User-ID of the request (bounded), used as a conversation's user when the body names none. */
export function headerValue(request: FastifyRequest, name: 'x-user-id' | 'x-tenant-id'): string | undefined {
  const value = request.headers[name];
  if (typeof value !== 'string' || value === '' || value.length > 128) return undefined;
  return value;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AgentdError('UNAUTHENTICATED', 'not authenticated');
  return request.principal;
}
