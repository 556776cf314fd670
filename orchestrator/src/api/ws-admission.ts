import type { FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { Principal } from '../auth/principal.js';
import { isAgentdError } from '../common/errors.js';
import type { RunStreamService } from '../runs/run-stream-service.js';
import type { WsConnections } from './ws-connections.js';
import { CLOSE, closeSocket } from './ws-socket.js';

export interface WsAdmissionOptions {
  /** The upgrade's credential to a principal: a header key, or a conversation ticket in `?ticket=`. */
  authenticate: (request: FastifyRequest) => Promise<Principal>;
  corsOrigins: readonly string[];
  connections: WsConnections;
  streams: Pick<RunStreamService, 'checkConversation'>;
}

export interface WsAdmitted {
  principal: Principal;
  tenantId: string;
  conversationId: string;
}

/** The conversation a principal may open from this route; throws (an AgentdError) when it may not. */
export type WsScope = (
  principal: Principal,
) => { tenantId: string; conversationId: string } | Promise<{ tenantId: string; conversationId: string }>;

/**
 * Decides whether an upgraded connection may stay: its Origin, its credential, its tenant and conversation, its
 * principal's cap. The checks run after the upgrade so a browser sees why (a refused HTTP upgrade only says "failed"); nothing
 * reaches a run before they pass. A refused connection is closed with the reason.
 */
export async function admitWsConnection(
  socket: WebSocket,
  request: FastifyRequest,
  options: WsAdmissionOptions,
  scope: WsScope,
): Promise<WsAdmitted | undefined> {
  const origin = request.headers.origin;
  // A page on another site must not drive runs with a credential the browser holds for it (CSWSH).
  if (origin !== undefined && !options.corsOrigins.includes(origin)) {
    closeSocket(socket, CLOSE.policy, 'origin not allowed');
    return undefined;
  }
  let principal: Principal;
  try {
    principal = await options.authenticate(request);
  } catch (err) {
    const unauthenticated = isAgentdError(err) && err.code === 'UNAUTHENTICATED';
    // The identity provider being down is no bug of ours: the client hears why and may retry.
    const unavailable = isAgentdError(err) && err.code === 'DEPENDENCY_UNAVAILABLE';
    if (!unauthenticated && !unavailable) request.log.error({ err }, 'WebSocket authentication failed');
    closeSocket(
      socket,
      unauthenticated ? CLOSE.unauthenticated : CLOSE.internal,
      unauthenticated || unavailable ? err.message : 'internal error',
    );
    return undefined;
  }
  let target: { tenantId: string; conversationId: string };
  try {
    target = await scope(principal);
    // A conversation that is not there (or not this tenant's, or archived) is refused now, not at the first chat.
    await options.streams.checkConversation(target);
  } catch (err) {
    const known = isAgentdError(err);
    if (!known) request.log.error({ err }, 'WebSocket admission failed');
    closeSocket(socket, known ? CLOSE.policy : CLOSE.internal, known ? err.message : 'internal error');
    return undefined;
  }
  if (!options.connections.admit(principal.keyId, socket)) {
    closeSocket(socket, CLOSE.policy, 'too many WebSocket connections for this credential');
    return undefined;
  }
  return { principal, ...target };
}
