import websocket from '@fastify/websocket';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { WebSocket } from '@fastify/websocket';
import type { RawData } from 'ws';
import type { Principal } from '../../auth/principal.js';
import { AgentdError } from '../../common/errors.js';
import type { RunStreamService } from '../../runs/run-stream-service.js';
import { checkTenantAccess, headerValue, tenantOf } from '../access.js';
import { ConversationParams, ErrorSchema, IdSchema } from '../schemas.js';
import { SESSION_ID_PATTERN } from '../session-schemas.js';
import { admitWsConnection, type WsAdmissionOptions, type WsScope } from '../ws-admission.js';
import { WS_DESCRIPTION } from '../ws-description.js';
import { WsClientMessageComponent, WsUpgradeResponse } from '../ws-schemas.js';
import { MAX_CLIENT_MESSAGE_BYTES } from '../ws-messages.js';
import { WsSession } from '../ws-session.js';
import { CLOSE, closeSocket, keepAlive } from '../ws-socket.js';

export interface WebSocketRoutesOptions extends WsAdmissionOptions {
  streams: RunStreamService;
  /** The conversation of a runtime session id (AgentCore's `/ws`), created on first use. */
  openSession: (tenantId: string, sessionId: string | undefined) => Promise<{ conversationId: string }>;
  pingIntervalMs: number;
  /** Aborts at shutdown: every connection gets `server_shutdown` and close 1001. */
  shutdown: AbortSignal;
}

const AGENTCORE_SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const AGENTCORE_SESSION_QUERY = 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id';

/** At close, connections get this long to finish their closing handshake before they are cut. */
const CLOSE_GRACE_MS = 1_000;
/** Frames a client sends before its connection is admitted are held, up to this many. */
const MAX_EARLY_FRAMES = 16;

export const websocketRoutes: FastifyPluginAsyncTypebox<WebSocketRoutesOptions> = async (app, options) => {
  await app.register(websocket, {
    // Larger than our own limit, so an oversized message gets an `error` reply instead of a 1009 close.
    options: { maxPayload: 4 * MAX_CLIENT_MESSAGE_BYTES },
    // close() must not wait on peers that ignore server_shutdown's close frame.
    preClose(done) {
      void options.connections.drain(CLOSE_GRACE_MS).then(() => this.websocketServer.close(() => done()));
    },
  });

  const open = (socket: WebSocket, request: FastifyRequest, scope: WsScope): void => {
    const early: [RawData, boolean][] = [];
    const hold = (data: RawData, isBinary: boolean): void => {
      early.push([data, isBinary]);
      if (early.length > MAX_EARLY_FRAMES)
        closeSocket(socket, CLOSE.policy, 'too many messages before admission');
    };
    socket.on('message', hold);
    void admitWsConnection(socket, request, options, scope).then((admitted) => {
      socket.off('message', hold);
      if (!admitted || socket.readyState !== socket.OPEN) return;
      const { principal, tenantId, conversationId } = admitted;
      keepAlive(socket, options.pingIntervalMs);
      const session = new WsSession({
        socket,
        streams: options.streams,
        caller: { id: principal.keyId, tenantId: principal.tenantId },
        tenantId,
        conversationId,
        userId: headerValue(request, 'x-user-id'),
        requestId: request.id,
        shutdown: options.shutdown,
        log: request.log.child({ actor: principal.actor, tenantId, conversationId }),
      });
      socket.on('message', (data, isBinary) => session.receive(data, isBinary));
      for (const [data, isBinary] of early) session.receive(data, isBinary);
    });
  };

  // A plain GET is checked like any other request (401, then 404 for what is not the caller's), then told to
  // upgrade: nobody learns from it whether another tenant's conversation exists.
  const upgradeRequired = async (request: FastifyRequest): Promise<never> => {
    const principal = await options.authenticate(request);
    const params = request.params as { tenantId?: string; conversationId: string };
    const tenantId = params.tenantId ?? principal.tenantId;
    if (tenantId === null) throw new AgentdError('FORBIDDEN', 'this route needs a tenant-scoped credential');
    checkTenantAccess(principal, tenantId);
    await options.streams.checkConversation({ tenantId, conversationId: params.conversationId });
    throw new AgentdError('VALIDATION_FAILED', 'this route needs a WebSocket upgrade');
  };
  app.addSchema(WsClientMessageComponent);
  const schema = {
    tags: ['runs'],
    description: WS_DESCRIPTION,
    security: [{ apiKey: [] as string[] }, { bearer: [] }, { ticket: [] }, { token: [] }] as Record<
      string,
      string[]
    >[],
    response: { 101: WsUpgradeResponse, '4xx': ErrorSchema },
  };
  // Authentication happens inside (close 4001), so a browser learns why; `public` only skips the HTTP hook.
  const config = { access: 'public' as const };

  app.route({
    method: 'GET',
    url: '/api/tenants/:tenantId/conversations/:conversationId/ws',
    schema: { ...schema, params: ConversationParams, summary: 'Chat with a conversation over WebSocket' },
    config,
    handler: upgradeRequired,
    wsHandler: (socket, request) => {
      const { tenantId, conversationId } = request.params;
      open(socket, request, (principal: Principal) => {
        checkTenantAccess(principal, tenantId);
        return { tenantId, conversationId };
      });
    },
  });

  app.route({
    method: 'GET',
    url: '/ws/:conversationId',
    schema: {
      ...schema,
      params: Type.Object({ conversationId: IdSchema }),
      summary: 'Chat with a conversation over WebSocket (tenant from a tenant-scoped credential)',
    },
    config,
    handler: upgradeRequired,
    wsHandler: (socket, request) => {
      const { conversationId } = request.params;
      open(socket, request, (principal: Principal) => {
        if (principal.scope !== 'tenant' || principal.tenantId === null)
          throw new AgentdError(
            'FORBIDDEN',
            'this route needs a tenant-scoped credential; use /api/tenants/{t}/…/ws',
          );
        return { tenantId: principal.tenantId, conversationId };
      });
    },
  });

  // AgentCore Runtime's WebSocket: the session comes in its header, or (browsers cannot set headers) in the
  // query as `session_id` or under the header's own name; without one a new session is opened.
  app.route({
    method: 'GET',
    url: '/ws',
    schema: {
      ...schema,
      summary: 'AgentCore Runtime: chat in a runtime session over WebSocket (session header or ?session_id=)',
    },
    config,
    handler: async (request) => {
      await options.authenticate(request);
      throw new AgentdError('VALIDATION_FAILED', 'this route needs a WebSocket upgrade');
    },
    wsHandler: (socket, request) => {
      const header = request.headers[AGENTCORE_SESSION_HEADER];
      const query = new URL(request.url, 'http://agentd').searchParams;
      const sessionId =
        (typeof header === 'string' && header !== '' ? header : undefined) ??
        query.get('session_id') ??
        query.get(AGENTCORE_SESSION_QUERY) ??
        undefined;
      open(socket, request, async (principal: Principal) => {
        const tenantId = tenantOf(principal, request.headers['x-tenant-id']);
        if (sessionId !== undefined && !new RegExp(SESSION_ID_PATTERN).test(sessionId))
          throw new AgentdError('VALIDATION_FAILED', 'invalid session id');
        const { conversationId } = await options.openSession(tenantId, sessionId);
        return { tenantId, conversationId };
      });
    },
  });
};
