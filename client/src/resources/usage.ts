import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';
import type { UsageReport } from '../unschemed-types.js';

/** Token and cost totals of a tenant (`groupBy`: model, conversation or day). */
export class Usage {
  constructor(private readonly http: Http) {}

  async get(
    tenantId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/usage'>,
    options?: CallOptions,
  ): Promise<UsageReport> {
    return (await this.http.json('GET /api/tenants/{tenantId}/usage', {
      path: { tenantId },
      query,
      ...options,
    })) as UsageReport;
  }
}
