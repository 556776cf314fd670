import { NotFoundError } from '../common/errors.js';
import type { Store, UsageQuery } from '../store/repositories.js';

/** A tenant's token and cost totals over a time range, grouped by model, conversation or day. */
export class UsageService {
  constructor(private readonly store: Store) {}

  async summarize(query: UsageQuery) {
    if (!(await this.store.tenants.get(query.tenantId))) throw new NotFoundError('tenant', query.tenantId);
    return this.store.usage.summarize(query);
  }
}
