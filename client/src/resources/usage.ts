import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';
import type { UsageReport } from '../answer-types.js';

/** Token and cost totals of a tenant (`groupBy`: model, conversation or day). */
export class Usage {
  constructor(private readonly http: Http) {}

  async get(
    tenantId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/usage'>,
    options?: CallOptions,
  ): Promise<UsageReport> {
    return this.http.json('GET /api/tenants/{tenantId}/usage', { path: { tenantId }, query, ...options });
  }
}
