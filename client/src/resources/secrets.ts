import type { RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

const ONE = '/api/tenants/{tenantId}/secrets/{name}';

/** A tenant's secrets: values are write-only; names and versions are listed. */
export class Secrets {
  constructor(private readonly http: Http) {}

  list(tenantId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/secrets', { path: { tenantId }, ...options });
  }
  get(tenantId: string, name: string, options?: CallOptions) {
    return this.http.json(`GET ${ONE}`, { path: { tenantId, name }, ...options });
  }
  /** Sets a value (a new version when it exists). */
  set(tenantId: string, name: string, body: RequestBody<`PUT ${typeof ONE}`>, options?: CallOptions) {
    return this.http.json(`PUT ${ONE}`, { path: { tenantId, name }, body, ...options });
  }
  async delete(tenantId: string, name: string, options?: CallOptions) {
    await this.http.send(`DELETE ${ONE}`, { path: { tenantId, name }, ...options });
  }
  /** Re-seals every secret under the current key (admin). */
  rotate(options?: CallOptions) {
    return this.http.json('POST /api/admin/secrets/rotate', { ...options });
  }
}
