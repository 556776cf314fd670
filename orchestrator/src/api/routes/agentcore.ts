import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { ValidationError } from '../../common/errors.js';
import type { SessionService } from '../../controlplane/session-service.js';
import { callerTenant, headerValue } from '../access.js';
import { EventStreamResponse } from '../event-schemas.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { streamStartedRun, type RunSseOptions } from '../run-sse.js';
import { ErrorSchema } from '../schemas.js';
import { InvocationBody, PingResponse, SESSION_ID_PATTERN } from '../session-schemas.js';
import { runCaller } from './sessions.js';

/** The header AgentCore Runtime (and its SDK's InvokeAgentRuntime) carries a session in, both ways. */
export const AGENTCORE_SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const SESSION_ID = new RegExp(SESSION_ID_PATTERN);

export interface AgentCoreRoutesOptions extends RunSseOptions {
  sessions: SessionService;
  /** Runs this node executes now: /ping says HealthyBusy while there are any. */
  activeRuns: () => number;
  version: string;
}

/** The turn an invocation asks for: `prompt`, else the last user message of `messages`. */
export function invocationMessage(body: Static<typeof InvocationBody>): string {
  if (body.prompt !== undefined) return body.prompt;
  const last = body.messages?.findLast((m) => m.role === 'user');
  const text =
    last === undefined
      ? ''
      : typeof last.content === 'string'
        ? last.content
        : last.content.map((block) => block.text ?? '').join('');
  if (text.trim() === '')
    throw new ValidationError('invalid invocation', [
      'body: send {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}',
    ]);
  return text;
}

/**
 * The AgentCore Runtime service contract on a self-hosted agentd: `POST /invocations` streams the run as SSE
 * (the run stream's events), `GET /ping` reports whether this node is busy. A runtime session id maps to a
 * conversation of the caller's tenant, created on first use and stored, so it continues on any node.
 */
export const agentCoreRoutes: FastifyPluginAsyncTypebox<AgentCoreRoutesOptions> = async (app, options) => {
  const tags = ['agentcore'];
  let lastStatus: 'Healthy' | 'HealthyBusy' = 'Healthy';
  let lastChange = Math.floor(Date.now() / 1000);

  app.post(
    '/invocations',
    {
      schema: {
        body: InvocationBody,
        response: { 200: EventStreamResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags,
        summary: 'AgentCore Runtime: run one turn in the runtime session and stream its events (SSE)',
      },
      config: { access: 'authenticated' },
    },
    async (request, reply) => {
      const message = invocationMessage(request.body);
      const given = request.headers[AGENTCORE_SESSION_HEADER];
      if (given !== undefined && (typeof given !== 'string' || !SESSION_ID.test(given)))
        throw new ValidationError('invalid session', [
          `${AGENTCORE_SESSION_HEADER}: 1-256 letters, digits, '.', '_', ':' or '-'`,
        ]);
      const tenantId = callerTenant(request);
      const userId = headerValue(request, 'x-user-id');
      const session = await options.sessions.open(tenantId, given, userId ?? null);
      const { runId, quota } = await options.streams.start(runCaller(request), {
        tenantId,
        conversationId: session.conversation.id,
        message,
        userId,
      });
      await streamStartedRun(options, request, reply, runId, {
        ...rateLimitHeaders(quota),
        [AGENTCORE_SESSION_HEADER]: session.sessionId,
      });
    },
  );

  app.get(
    '/ping',
    {
      schema: {
        response: { 200: PingResponse },
        tags,
        summary: 'AgentCore Runtime health: Healthy, or HealthyBusy while this node runs work',
        security: [],
      },
      // The runtime platform pings without credentials; the answer says only whether this node is busy.
      config: { access: 'public' },
    },
    async () => {
      const status: typeof lastStatus = options.activeRuns() > 0 ? 'HealthyBusy' : 'Healthy';
      // Observed at each ping: the platform reads the time of the last change it could have seen.
      if (status !== lastStatus) {
        lastStatus = status;
        lastChange = Math.floor(Date.now() / 1000);
      }
      return {
        status,
        time_of_last_update: lastChange,
        timestamp: new Date().toISOString(),
        service: 'agentd',
        version: options.version,
      };
    },
  );
};
