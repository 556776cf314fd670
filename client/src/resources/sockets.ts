import type { Http } from '../http.js';
import { ConversationSocket } from '../ws-session.js';

export interface ConnectOptions {
  /**
   * A conversation ticket, or a function fetching a fresh one from your backend (each connection uses one up).
   * Without it, a client holding a key issues one itself; a client with a JWT passes it as `?token=`.
   */
  ticket?: string | (() => string | Promise<string>);
}

/** WebSockets on a conversation (chat, cancel, ping, resume). */
export class Sockets {
  constructor(private readonly http: Http) {}

  /** `GET /api/tenants/{tenantId}/conversations/{conversationId}/ws`. */
  async conversation(
    tenantId: string,
    conversationId: string,
    options: ConnectOptions = {},
  ): Promise<ConversationSocket> {
    const query = await this.#credential(tenantId, conversationId, options);
    const url = this.http.url(
      'GET /api/tenants/{tenantId}/conversations/{conversationId}/ws',
      { tenantId, conversationId },
      query,
    );
    return ConversationSocket.open(url.replace(/^http/, 'ws'));
  }

  /** `GET /ws/{conversationId}` (a tenant key's conversation; the tenant comes from the credential). */
  async byConversation(
    tenantId: string,
    conversationId: string,
    options: ConnectOptions = {},
  ): Promise<ConversationSocket> {
    const query = await this.#credential(tenantId, conversationId, options);
    const url = this.http.url('GET /ws/{conversationId}', { conversationId }, query);
    return ConversationSocket.open(url.replace(/^http/, 'ws'));
  }

  async #credential(
    tenantId: string,
    conversationId: string,
    options: ConnectOptions,
  ): Promise<Record<string, string>> {
    const { ticket } = options;
    if (ticket !== undefined) return { ticket: typeof ticket === 'function' ? await ticket() : ticket };
    const { token, apiKey } = this.http.credentials;
    // A JWT (three segments) may ride the upgrade as ?token=; a key never goes into a URL: it buys a ticket.
    const jwt = typeof token === 'function' ? await token() : token;
    if (apiKey === undefined && jwt !== undefined && jwt.split('.').length === 3) return { token: jwt };
    const issued = await this.http.json(
      'POST /api/tenants/{tenantId}/conversations/{conversationId}/tickets',
      {
        path: { tenantId, conversationId },
      },
    );
    return { ticket: issued.ticket };
  }
}
