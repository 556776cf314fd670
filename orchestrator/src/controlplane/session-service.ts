import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../common/errors.js';
import type { Conversation } from '../store/entities.js';
import type { Page, PageRequest, Store, UsageGroup } from '../store/repositories.js';
import type { ConversationService } from './conversation-service.js';

/** A session as the compat routes see it: a conversation, named by its external session id when it has one. */
export interface Session {
  sessionId: string;
  conversation: Conversation;
}

export interface OpenedSession extends Session {
  created: boolean;
}

export type SessionUsage = Omit<UsageGroup, 'key'>;

/**
 * Sessions of the compat surfaces (AgentCore's runtime session header, the agent-HTTP-server `/sessions`):
 * a session id names a conversation of the caller's tenant, either by the conversation's own id or by the
 * external session id stored on it. The mapping lives in the database, so it survives restarts and holds on
 * every node.
 */
export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly conversations: ConversationService,
  ) {}

  /**
   * The session `sessionId` names, created on first use; with no id a new session gets a random one (a UUID,
   * long enough for AgentCore's 33-character minimum).
   */
  async open(tenantId: string, sessionId: string | undefined, userId: string | null): Promise<OpenedSession> {
    if (sessionId !== undefined) {
      const known = await this.conversations.findByIdOrSession(tenantId, sessionId);
      if (known) return { sessionId, conversation: known, created: false };
    }
    const id = sessionId ?? randomUUID();
    const { conversation, created } = await this.conversations.forSession(tenantId, id, { userId });
    return { sessionId: id, conversation, created };
  }

  /** An existing session; NOT_FOUND otherwise (reads and deletes never create one). */
  async get(tenantId: string, sessionId: string): Promise<Session> {
    const conversation = await this.conversations.findByIdOrSession(tenantId, sessionId);
    if (!conversation) throw new NotFoundError('session', sessionId);
    return { sessionId: conversation.sessionId ?? conversation.id, conversation };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Session>> {
    const result = await this.conversations.list(tenantId, {}, page);
    return {
      items: result.items.map((conversation) => ({
        sessionId: conversation.sessionId ?? conversation.id,
        conversation,
      })),
      nextCursor: result.nextCursor,
    };
  }

  /** Every token and cost the session's runs recorded (a clear keeps them). */
  async usage(tenantId: string, sessionId: string): Promise<Session & { usage: SessionUsage }> {
    const session = await this.get(tenantId, sessionId);
    const { conversation } = session;
    const { groups } = await this.store.usage.summarize({
      tenantId,
      from: conversation.createdAt,
      to: new Date(Date.now() + 1_000),
      groupBy: 'conversation',
    });
    const group = groups.find((g) => g.key === conversation.id);
    if (group) {
      const { key: _key, ...usage } = group;
      return { ...session, usage };
    }
    const usage: SessionUsage = {
      runs: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: '0',
      resources: { measuredRuns: 0, cpuSeconds: 0, peakMemoryBytes: 0, peakPids: 0, bytesSynced: 0 },
    };
    return { ...session, usage };
  }
}
