import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** Token and cost totals of a tenant (`groupBy`: model, conversation or day). */
export class Usage {
  constructor(private readonly http: Http) {}

  get(tenantId: string, query?: QueryOf<'GET /api/tenants/{tenantId}/usage'>, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/usage', { path: { tenantId }, query, ...options });
  }
}
