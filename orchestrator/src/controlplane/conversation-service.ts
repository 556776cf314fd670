import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import type { LockService } from '../common/lock-service.js';
import type { Conversation, ConversationStatus, Message } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';
import type { ConversationCleanup } from './tenant-service.js';

export interface ConversationInput {
  modelId?: string | undefined;
  title?: string | null | undefined;
  userId?: string | null | undefined;
  profile?: string | null | undefined;
  workspaceEnabled?: boolean | undefined;
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
}

export class ConversationService {
  constructor(private readonly options: ConversationServiceOptions) {}

  async create(tenantId: string, input: ConversationInput): Promise<Conversation> {
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
    if (issues.length > 0) throw new ValidationError('invalid conversation', issues);
    return store.conversations.create({
      tenantId,
      modelId,
      userId: input.userId ?? null,
      title: input.title ?? null,
      workspaceEnabled: input.workspaceEnabled ?? true,
      profile: input.profile ?? null,
      mcpServers: input.mcpServers ?? null,
    });
  }

  async get(tenantId: string, id: string): Promise<Conversation> {
    const conversation = await this.options.store.conversations.get(tenantId, id);
    if (!conversation) throw new NotFoundError('conversation', id);
    return conversation;
  }

  list(
    tenantId: string,
    filter: { userId?: string; status?: ConversationStatus },
    page: PageRequest,
  ): Promise<Page<Conversation>> {
    return this.options.store.conversations.list(tenantId, filter, page);
  }

  async archive(tenantId: string, id: string): Promise<Conversation> {
    const conversation = await this.options.store.conversations.archive(tenantId, id);
    if (!conversation) throw new NotFoundError('conversation', id);
    return conversation;
  }

  async messages(tenantId: string, id: string, page: PageRequest): Promise<Page<Message>> {
    await this.get(tenantId, id);
    return this.options.store.messages.list(id, page);
  }

  /** Deletes the conversation (messages and usage go with it), its sandbox, and its workspace. Not during a run. */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id);
    const lock = await this.options.locks.tryAcquire(`conversation:${tenantId}:${id}`);
    if (!lock)
      throw new AgentdError('CONVERSATION_BUSY', `conversation ${id} has a run in progress`, {
        recoverable: true,
        retryAfterSeconds: 2,
      });
    try {
      if (!(await this.options.store.conversations.delete(tenantId, id)))
        throw new NotFoundError('conversation', id);
    } finally {
      await lock.release();
    }
    await this.options.cleanup.conversationDeleted(tenantId, id);
  }
}
