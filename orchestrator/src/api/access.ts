import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CredentialAuth } from '../auth/credential-auth.js';
import type { Principal } from '../auth/principal.js';
import type { TicketService } from '../auth/ticket-service.js';
import type { TicketKind } from '../auth/ticket-store.js';
import { AgentdError, NotFoundError } from '../common/errors.js';
import { hasQueryCredential, queryCredential } from '../common/redact-url.js';

/** Who may call a route: nobody needs a key (`public`), any valid key, an admin key, or a key of the path's tenant. */
export type Access = 'public' | 'authenticated' | 'admin' | 'tenant';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** The kind of `?ticket=` the route takes instead of a header credential (browsers); none by default. */
    ticket?: TicketKind;
  }
}

/** What authenticating needs of a request; a WebSocket route passes its upgrade request. */
export interface CredentialRequest {
  headers: IncomingHttpHeaders;
  /** Path and query, as on the request line. */
  url: string;
  params: unknown;
}

/**
 * Authenticates a request by its header credential, or by `?ticket=` where `accepts` names a ticket kind, or
 * by a JWT in `?token=` when the request is a WebSocket upgrade.
 */
export type RequestAuthenticator = (
  request: CredentialRequest,
  accepts?: TicketKind,
  upgrade?: boolean,
) => Promise<Principal>;

export function readApiKey(request: { headers: IncomingHttpHeaders }): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

/**
 * One way to authenticate, used by the HTTP hook and by routes that authenticate inside their handler (a
 * WebSocket upgrade closes with 4001 instead of answering 401). A header credential wins; a URL credential is
 * taken only as a ticket on a route that accepts its kind, or as a JWT on a WebSocket upgrade, because URLs end
 * up in browser history and proxies.
 */
export function createRequestAuthenticator(deps: {
  auth: Pick<CredentialAuth, 'authenticate' | 'authenticateUrlToken'>;
  tickets: TicketService;
}): RequestAuthenticator {
  return async (request, accepts, upgrade = false) => {
    const key = readApiKey(request);
    if (key !== undefined) return deps.auth.authenticate(key);
    const ticket = queryCredential(request.url, 'ticket');
    if (ticket !== undefined && accepts !== undefined) {
      const params = (request.params ?? {}) as { tenantId?: string; conversationId?: string; runId?: string };
      return deps.tickets.authenticate(ticket, accepts, {
        tenantId: params.tenantId,
        conversationId: params.conversationId,
        runId: params.runId,
      });
    }
    // A WebSocket upgrade cannot carry a header from a browser; nothing else takes a JWT from a URL.
    const token = queryCredential(request.url, 'token');
    if (token !== undefined && upgrade) return deps.auth.authenticateUrlToken(token);
    if (hasQueryCredential(request.url)) {
      throw new AgentdError(
        'UNAUTHENTICATED',
        'this route takes no credential in the URL: send X-API-Key or Authorization: Bearer',
        { details: { reason: 'url_credential_not_accepted' } },
      );
    }
    return deps.auth.authenticate(undefined);
  };
}

/**
 * Authenticates every request before anything else runs. A tenant key on another tenant's path gets 404,
 * exactly like a tenant that does not exist, so nothing about other tenants leaks.
 */
export function installAccessControl(app: FastifyInstance, authenticate: RequestAuthenticator): void {
  app.addHook('onRequest', async (request) => {
    const { access = 'authenticated', ticket } = request.routeOptions.config;
    if (access === 'public') return;
    const principal = await authenticate(request, ticket);
    request.principal = principal;
    const tenantHeader = headerValue(request, 'x-tenant-id');
    const userHeader = headerValue(request, 'x-user-id');
    bindLog(request, {
      actor: principal.actor,
      ...(tenantHeader ? { tenantHeader } : {}),
      ...(userHeader ? { userHeader } : {}),
    });
    // A tenant credential carries its tenant: a header naming another is a confused or forged client.
    const claimedTenant = request.headers['x-tenant-id'];
    if (
      principal.scope === 'tenant' &&
      typeof claimedTenant === 'string' &&
      claimedTenant !== '' &&
      claimedTenant !== principal.tenantId
    ) {
      throw new AgentdError('FORBIDDEN', 'X-Tenant-ID contradicts the tenant of this credential');
    }
    if (access === 'admin' && principal.scope !== 'admin') {
      throw new AgentdError('FORBIDDEN', 'this route needs an admin key');
    }
    if (access === 'tenant')
      checkTenantAccess(principal, (request.params as { tenantId?: string }).tenantId ?? '');
  });
}

/**
 * Adds fields to the request's own logger (Fastify makes one per request) instead of deriving another child:
 * a second child per request was 7 % of the API's CPU under load. The reply logs with the same fields too.
 */
function bindLog(request: FastifyRequest, bindings: Record<string, string>): void {
  const log = request.log as FastifyRequest['log'] & { setBindings?: (bindings: object) => void };
  // The server's own logger is shared by every request (Fastify hands it out when logging is off): never mutate it.
  if (typeof log.setBindings === 'function' && log !== request.server.log) log.setBindings(bindings);
  else request.log = log.child(bindings);
}

/**
 * The tenant a route without a tenant in its path acts on: a tenant credential's own, or for an admin
 * credential the X-Tenant-ID it names (refused without one: an admin key belongs to no tenant).
 */
export function callerTenant(request: FastifyRequest): string {
  return tenantOf(principalOf(request), request.headers['x-tenant-id']);
}

/** `callerTenant` for a principal authenticated inside a handler (a WebSocket upgrade). */
export function tenantOf(principal: Principal, tenantHeader: string | string[] | undefined): string {
  const named = typeof tenantHeader === 'string' && tenantHeader !== '' ? tenantHeader : undefined;
  if (principal.scope === 'tenant' && principal.tenantId !== null) {
    if (named !== undefined && named !== principal.tenantId)
      throw new AgentdError('FORBIDDEN', 'X-Tenant-ID contradicts the tenant of this credential');
    return principal.tenantId;
  }
  if (named === undefined || named.length > 128)
    throw new AgentdError(
      'FORBIDDEN',
      'this route acts on one tenant: use a tenant-scoped credential, or send X-Tenant-ID with an admin key',
    );
  return named;
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
