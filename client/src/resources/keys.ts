import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** API keys (admin): `create` answers the key once; agentd keeps only its hash. */
export class Keys {
  constructor(private readonly http: Http) {}

  list(query?: QueryOf<'GET /api/keys'>, options?: CallOptions) {
    return this.http.json('GET /api/keys', { query, ...options });
  }
  create(body: RequestBody<'POST /api/keys'>, options?: CallOptions) {
    return this.http.json('POST /api/keys', { body, ...options });
  }
  async revoke(keyId: string, options?: CallOptions) {
    await this.http.send('DELETE /api/keys/{keyId}', { path: { keyId }, ...options });
  }
}
