import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import { NotFoundError } from '../common/errors.js';
import type { ApiKey, ApiKeyScope } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';
import type { AuditContext, AuditService } from './audit-service.js';

/** API keys for admins: list, create (the plain key is shown once), revoke; every change audited. */
export class KeyService {
  constructor(
    private readonly auth: ApiKeyAuth,
    private readonly store: Store,
    private readonly audit: AuditService,
  ) {}

  list(page: PageRequest): Promise<Page<ApiKey>> {
    return this.store.apiKeys.list(page);
  }

  async create(
    context: AuditContext,
    input: { name: string; scope: ApiKeyScope; tenantId: string | null },
  ): Promise<{ key: ApiKey; plain: string }> {
    const created = await this.auth.create(input);
    const { key } = created;
    await this.audit.record(context, 'key.create', `key:${key.id}`, {
      scope: key.scope,
      tenantId: key.tenantId,
      name: key.name,
    });
    return created;
  }

  async revoke(context: AuditContext, keyId: string): Promise<ApiKey> {
    const key = await this.store.apiKeys.revoke(keyId);
    if (!key) throw new NotFoundError('key', keyId);
    this.auth.keysChanged();
    await this.audit.record(context, 'key.revoke', `key:${key.id}`);
    return key;
  }
}
