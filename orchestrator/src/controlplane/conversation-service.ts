import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import type { LockService } from '../common/lock-service.js';
import type { Conversation, ConversationKind, ConversationStatus, Message, Run } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';
import type { AuditContext, AuditService } from './audit-service.js';
import type { ConversationCleanup } from './tenant-service.js';

export interface ConversationInput {
  modelId?: string | undefined;
  title?: string | null | undefined;
  userId?: string | null | undefined;
  profile?: string | null | undefined;
  workspaceEnabled?: boolean | undefined;
  kind?: ConversationKind | undefined;
  /** Only for chats: replaces the tenant's system prompt. */
  systemPrompt?: string | null | undefined;
  /** The tenant's skills this conversation uses; absent or null = all enabled ones. */
  skills?: readonly string[] | null | undefined;
  mcpServers?: string[] | null | undefined;
}

export interface ConversationServiceOptions {
  store: Store;
  locks: LockService;
  /** Names of the sandbox profiles agentd has. */
  profileNames: () => readonly string[];
  /** DEFAULT_MODEL_ID: used when neither the request nor the tenant names a model. */
  defaultModelId: string;
  cleanup: ConversationCleanup;
  /** Records history clears (an operator may need to know why a conversation forgot its past). */
  audit?: AuditService;
}

export class ConversationService {
  constructor(private readonly options: ConversationServiceOptions) {}

  async create(tenantId: string, input: ConversationInput): Promise<Conversation> {
    const { store } = this.options;
    const conversation = await store.conversations.create(await this.#prepare(tenantId, input));
    if (input.skills) await store.skills.setChoice(conversation.id, [...new Set(input.skills)].sort());
    return conversation;
  }

  /** The tenant's conversation for an external session id, created (validated like `create`) on first use. */
  async forSession(
    tenantId: string,
    sessionId: string,
    input: ConversationInput,
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const existing = await this.options.store.conversations.findBySession(tenantId, sessionId);
    if (existing) return { conversation: existing, created: false };
    return this.options.store.conversations.ensureForSession({
      ...(await this.#prepare(tenantId, input)),
      sessionId,
    });
  }

  /** The tenant's conversation with this id, or else the one mapped to this external session id. */
  async findByIdOrSession(tenantId: string, id: string): Promise<Conversation | undefined> {
    const { conversations } = this.options.store;
    return (await conversations.get(tenantId, id)) ?? (await conversations.findBySession(tenantId, id));
  }

  /**
   * Starts the conversation's history afresh: the next run sees no earlier message. The workspace, the stored
   * messages and the usage records stay. Refused while a run holds the conversation.
   */
  async clear(context: AuditContext, tenantId: string, id: string): Promise<Conversation> {
    await this.get(tenantId, id);
    const lock = await this.#lockIdle(tenantId, id);
    let cleared: Conversation | undefined;
    try {
      cleared = await this.options.store.conversations.clearHistory(tenantId, id);
    } finally {
      await lock.release();
    }
    if (!cleared) throw new NotFoundError('conversation', id);
    await this.options.audit?.record(context, 'conversation.clear', `conversation:${id}`, {
      tenantId,
      historyStartSeq: cleared.historyStartSeq,
    });
    return cleared;
  }

  async #prepare(tenantId: string, input: ConversationInput) {
    const { store } = this.options;
    const tenant = await store.tenants.get(tenantId);
    if (!tenant) throw new NotFoundError('tenant', tenantId);
    const modelId = input.modelId ?? tenant.defaultModelId ?? this.options.defaultModelId;
    const issues: string[] = [];
    const model = await store.models.get(modelId);
    if (!model) issues.push(`/modelId: model ${modelId} does not exist`);
    else if (!model.enabled) issues.push(`/modelId: model ${modelId} is disabled`);
    else if (tenant.policy.allowedModelIds && !tenant.policy.allowedModelIds.includes(modelId)) {
      issues.push(`/modelId: tenant ${tenantId} may not use model ${modelId}`);
    }
    if (input.profile && !this.options.profileNames().includes(input.profile)) {
      issues.push(
        `/profile: no sandbox profile ${input.profile} (have ${this.options.profileNames().join(', ')})`,
      );
    }
    const kind = input.kind ?? 'conversation';
    if (kind === 'chat') {
      // A chat has no sandbox: nothing to isolate, no workspace to keep.
      if (input.profile) issues.push('/profile: a chat has no sandbox');
      if (input.workspaceEnabled) issues.push('/workspaceEnabled: a chat has no workspace');
    } else if (input.systemPrompt != null) {
      issues.push('/systemPrompt: only a chat has its own system prompt');
    }
    if (issues.length > 0) throw new ValidationError('invalid conversation', issues);
    return {
      tenantId,
      modelId,
      userId: input.userId ?? null,
      title: input.title ?? null,
      workspaceEnabled: kind === 'chat' ? false : (input.workspaceEnabled ?? true),
      profile: input.profile ?? null,
      kind,
      systemPrompt: input.systemPrompt ?? null,
      mcpServers: input.mcpServers ?? null,
    };
  }

  async get(tenantId: string, id: string): Promise<Conversation> {
    const conversation = await this.options.store.conversations.get(tenantId, id);
    if (!conversation) throw new NotFoundError('conversation', id);
    return conversation;
  }

  list(
    tenantId: string,
    filter: { userId?: string; status?: ConversationStatus; kind?: ConversationKind },
    page: PageRequest,
  ): Promise<Page<Conversation>> {
    return this.options.store.conversations.list(tenantId, filter, page);
  }

  async archive(tenantId: string, id: string): Promise<Conversation> {
    const conversation = await this.options.store.conversations.archive(tenantId, id);
    if (!conversation) throw new NotFoundError('conversation', id);
    return conversation;
  }

  /** Replaces a chat's system prompt. */
  async setSystemPrompt(tenantId: string, id: string, systemPrompt: string | null): Promise<Conversation> {
    const conversation = await this.options.store.conversations.setSystemPrompt(tenantId, id, systemPrompt);
    if (!conversation) throw new NotFoundError('conversation', id);
    return conversation;
  }

  async messages(tenantId: string, id: string, page: PageRequest): Promise<Page<Message>> {
    await this.get(tenantId, id);
    return this.options.store.messages.list(id, page);
  }

  /** Runs of a conversation, oldest first (paged); consoles pick the one to follow or replay. */
  async runs(tenantId: string, id: string, page: PageRequest): Promise<Page<Run>> {
    await this.get(tenantId, id);
    return this.options.store.runs.list(tenantId, id, page);
  }

  /** Deletes the conversation (messages and usage go with it), its sandbox, and its workspace. Not during a run. */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id);
    const lock = await this.#lockIdle(tenantId, id);
    try {
      if (!(await this.options.store.conversations.delete(tenantId, id)))
        throw new NotFoundError('conversation', id);
    } finally {
      await lock.release();
    }
    await this.options.cleanup.conversationDeleted(tenantId, id);
  }

  /** The conversation's run lock, so nothing runs while we change it; CONVERSATION_BUSY when a run holds it. */
  async #lockIdle(tenantId: string, id: string) {
    const lock = await this.options.locks.tryAcquire(`conversation:${tenantId}:${id}`);
    if (!lock)
      throw new AgentdError('CONVERSATION_BUSY', `conversation ${id} has a run in progress`, {
        recoverable: true,
        retryAfterSeconds: 2,
      });
    return lock;
  }
}
