import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** Models (any key lists them; admin keys change them). */
export class Models {
  constructor(private readonly http: Http) {}

  list(query?: QueryOf<'GET /api/models'>, options?: CallOptions) {
    return this.http.json('GET /api/models', { query, ...options });
  }
  create(body: RequestBody<'POST /api/models'>, options?: CallOptions) {
    return this.http.json('POST /api/models', { body, ...options });
  }
  get(modelId: string, options?: CallOptions) {
    return this.http.json('GET /api/models/{modelId}', { path: { modelId }, ...options });
  }
  update(modelId: string, body: RequestBody<'PUT /api/models/{modelId}'>, options?: CallOptions) {
    return this.http.json('PUT /api/models/{modelId}', { path: { modelId }, body, ...options });
  }
  async delete(modelId: string, options?: CallOptions) {
    await this.http.send('DELETE /api/models/{modelId}', { path: { modelId }, ...options });
  }
}
