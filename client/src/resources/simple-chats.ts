import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';
import { RunStream, type RunStreamOptions } from '../run-stream.js';

const ONE = '/api/tenants/{tenantId}/simple-chats/{chatId}';

/** Simple chats: conversations without a sandbox or tools (`kind: "chat"`), sharing the run routes. */
export class SimpleChats {
  constructor(private readonly http: Http) {}

  list(tenantId: string, query?: QueryOf<'GET /api/tenants/{tenantId}/simple-chats'>, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/simple-chats', {
      path: { tenantId },
      query,
      ...options,
    });
  }

  /**
   * Sends a message (a new chat without `chatId`) and iterates the reply's events, resuming like `runs.stream`.
   * The chat's id is `stream.conversationId` once the response headers arrived (`X-Chat-ID`).
   */
  stream(
    tenantId: string,
    body: RequestBody<'POST /api/tenants/{tenantId}/simple-chats/stream'>,
    options: RunStreamOptions = {},
  ): RunStream {
    const url = this.http.url('POST /api/tenants/{tenantId}/simple-chats/stream', { tenantId });
    return new RunStream(
      this.http,
      { tenantId, ...(body.chatId ? { conversationId: body.chatId } : {}) },
      (signal) =>
        this.http.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify(body),
          replayable: true,
          signal,
        }),
      options,
    );
  }

  /** The chat with its messages, oldest first (paged). */
  get(tenantId: string, chatId: string, query?: QueryOf<`GET ${typeof ONE}`>, options?: CallOptions) {
    return this.http.json(`GET ${ONE}`, { path: { tenantId, chatId }, query, ...options });
  }
  archive(tenantId: string, chatId: string, options?: CallOptions) {
    return this.http.json(`POST ${ONE}/archive`, { path: { tenantId, chatId }, ...options });
  }
  async delete(tenantId: string, chatId: string, options?: CallOptions) {
    await this.http.send(`DELETE ${ONE}`, { path: { tenantId, chatId }, ...options });
  }
}
