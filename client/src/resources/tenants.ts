import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** Tenants (admin key; `get` also with the tenant's own key). */
export class Tenants {
  constructor(private readonly http: Http) {}

  list(query?: QueryOf<'GET /api/tenants'>, options?: CallOptions) {
    return this.http.json('GET /api/tenants', { query, ...options });
  }
  create(body: RequestBody<'POST /api/tenants'>, options?: CallOptions) {
    return this.http.json('POST /api/tenants', { body, ...options });
  }
  get(tenantId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}', { path: { tenantId }, ...options });
  }
  update(tenantId: string, body: RequestBody<'PUT /api/tenants/{tenantId}'>, options?: CallOptions) {
    return this.http.json('PUT /api/tenants/{tenantId}', { path: { tenantId }, body, ...options });
  }
  /** `force: true` deletes its conversations too. */
  async delete(tenantId: string, query?: QueryOf<'DELETE /api/tenants/{tenantId}'>, options?: CallOptions) {
    await this.http.send('DELETE /api/tenants/{tenantId}', { path: { tenantId }, query, ...options });
  }
}
