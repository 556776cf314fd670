import { NotFoundError, ValidationError } from '../common/errors.js';
import type { Tenant, TenantPolicy } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';
import type { AuditContext, AuditService } from './audit-service.js';

export interface TenantInput {
  name: string;
  systemPrompt?: string | null | undefined;
  defaultModelId?: string | null | undefined;
  policy?: TenantPolicy | undefined;
}

/** Removes whatever a tenant or conversation had running (sandboxes) and stored (workspaces). */
export interface ConversationCleanup {
  conversationDeleted(tenantId: string, conversationId: string): Promise<void>;
}

export class TenantService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly validatePolicy: (policy: TenantPolicy) => string[],
    private readonly cleanup: ConversationCleanup,
    /** Told after a tenant changed or went, so caches of its policy and keys are emptied on every node. */
    private readonly changed: (change: 'updated' | 'deleted') => void = () => undefined,
  ) {}

  list(page: PageRequest): Promise<Page<Tenant>> {
    return this.store.tenants.list(page);
  }

  async get(id: string): Promise<Tenant> {
    const tenant = await this.store.tenants.get(id);
    if (!tenant) throw new NotFoundError('tenant', id);
    return tenant;
  }

  async create(context: AuditContext, input: TenantInput): Promise<Tenant> {
    await this.#check(input.defaultModelId, input.policy);
    const tenant = await this.store.tenants.create({
      name: input.name,
      systemPrompt: input.systemPrompt ?? null,
      defaultModelId: input.defaultModelId ?? null,
      policy: input.policy ?? {},
    });
    await this.audit.record(context, 'tenant.create', `tenant:${tenant.id}`, { name: tenant.name });
    return tenant;
  }

  async update(context: AuditContext, id: string, patch: Partial<TenantInput>): Promise<Tenant> {
    await this.get(id);
    await this.#check(patch.defaultModelId, patch.policy);
    const tenant = await this.store.tenants.update(id, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.systemPrompt === undefined ? {} : { systemPrompt: patch.systemPrompt }),
      ...(patch.defaultModelId === undefined ? {} : { defaultModelId: patch.defaultModelId }),
      ...(patch.policy === undefined ? {} : { policy: patch.policy }),
    });
    if (!tenant) throw new NotFoundError('tenant', id);
    this.changed('updated');
    await this.audit.record(context, 'tenant.update', `tenant:${id}`, { changed: Object.keys(patch) });
    return tenant;
  }

  /** A tenant with conversations is deleted only with `force`; its sandboxes and workspaces go with it. */
  async delete(context: AuditContext, id: string, force: boolean): Promise<void> {
    await this.get(id);
    const conversations = await this.store.tenants.countConversations(id);
    if (conversations > 0 && !force) {
      throw new ValidationError('tenant has conversations', [
        `tenant ${id} has ${conversations} conversation(s); delete with ?force=true`,
      ]);
    }
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.conversations.list(id, {}, { limit: 200, cursor });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    if (!(await this.store.tenants.delete(id))) throw new NotFoundError('tenant', id);
    // Its keys went with it (ON DELETE CASCADE): no node may keep accepting them from its cache.
    this.changed('deleted');
    for (const conversationId of ids) await this.cleanup.conversationDeleted(id, conversationId);
    await this.audit.record(context, 'tenant.delete', `tenant:${id}`, { force, conversations });
  }

  async #check(defaultModelId: string | null | undefined, policy: TenantPolicy | undefined): Promise<void> {
    const issues: string[] = [];
    if (defaultModelId) {
      const model = await this.store.models.get(defaultModelId);
      if (!model) issues.push(`/defaultModelId: model ${defaultModelId} does not exist`);
    }
    if (policy) issues.push(...this.validatePolicy(policy).map((i) => `/policy${i}`));
    if (issues.length > 0) throw new ValidationError('invalid tenant', issues);
  }
}
