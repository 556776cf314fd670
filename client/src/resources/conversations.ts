import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

const ONE = 'GET /api/tenants/{tenantId}/conversations/{conversationId}';

/** A tenant's conversations and their history. */
export class Conversations {
  constructor(private readonly http: Http) {}

  list(
    tenantId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/conversations'>,
    options?: CallOptions,
  ) {
    return this.http.json('GET /api/tenants/{tenantId}/conversations', {
      path: { tenantId },
      query,
      ...options,
    });
  }
  create(
    tenantId: string,
    body: RequestBody<'POST /api/tenants/{tenantId}/conversations'> = {},
    options?: CallOptions,
  ) {
    return this.http.json('POST /api/tenants/{tenantId}/conversations', {
      path: { tenantId },
      body,
      ...options,
    });
  }
  get(tenantId: string, conversationId: string, options?: CallOptions) {
    return this.http.json(ONE, { path: { tenantId, conversationId }, ...options });
  }
  /** Deletes it with its sandbox and workspace. */
  async delete(tenantId: string, conversationId: string, options?: CallOptions) {
    await this.http.send('DELETE /api/tenants/{tenantId}/conversations/{conversationId}', {
      path: { tenantId, conversationId },
      ...options,
    });
  }
  /** No new runs after this. */
  archive(tenantId: string, conversationId: string, options?: CallOptions) {
    return this.http.json('POST /api/tenants/{tenantId}/conversations/{conversationId}/archive', {
      path: { tenantId, conversationId },
      ...options,
    });
  }
  /** Clears the history (409 during a run); the workspace stays. */
  clear(tenantId: string, conversationId: string, options?: CallOptions) {
    return this.http.json('POST /api/tenants/{tenantId}/conversations/{conversationId}/clear', {
      path: { tenantId, conversationId },
      ...options,
    });
  }
  /** Messages, oldest first (Bedrock Converse content blocks). */
  messages(
    tenantId: string,
    conversationId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/conversations/{conversationId}/messages'>,
    options?: CallOptions,
  ) {
    return this.http.json('GET /api/tenants/{tenantId}/conversations/{conversationId}/messages', {
      path: { tenantId, conversationId },
      query,
      ...options,
    });
  }
  /** The skills the conversation chose (`null`: every enabled skill). */
  skills(tenantId: string, conversationId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/conversations/{conversationId}/skills', {
      path: { tenantId, conversationId },
      ...options,
    });
  }
  setSkills(
    tenantId: string,
    conversationId: string,
    body: RequestBody<'PUT /api/tenants/{tenantId}/conversations/{conversationId}/skills'>,
    options?: CallOptions,
  ) {
    return this.http.json('PUT /api/tenants/{tenantId}/conversations/{conversationId}/skills', {
      path: { tenantId, conversationId },
      body,
      ...options,
    });
  }
}
