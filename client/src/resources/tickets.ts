import type { CallOptions, Http } from '../http.js';

/** Browser credentials: issued by a backend that holds a key, handed to a page. */
export class Tickets {
  constructor(private readonly http: Http) {}

  /** A single-use ticket for one WebSocket upgrade to the conversation. */
  conversation(tenantId: string, conversationId: string, options?: CallOptions) {
    return this.http.json('POST /api/tenants/{tenantId}/conversations/{conversationId}/tickets', {
      path: { tenantId, conversationId },
      ...options,
    });
  }
  /** A ticket for the run's event stream (`runs.events(…, { ticket })`), valid until the run ends plus its grace. */
  run(tenantId: string, conversationId: string, runId: string, options?: CallOptions) {
    return this.http.json(
      'POST /api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/tickets',
      {
        path: { tenantId, conversationId, runId },
        ...options,
      },
    );
  }
  async revoke(tenantId: string, ticketId: string, options?: CallOptions) {
    await this.http.send('DELETE /api/tenants/{tenantId}/tickets/{ticketId}', {
      path: { tenantId, ticketId },
      ...options,
    });
  }
}
