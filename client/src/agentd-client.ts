import type { Credentials, TokenSource } from './credentials.js';
import { Http } from './http.js';
import { Admin } from './resources/admin.js';
import { Audit } from './resources/audit.js';
import { Conversations } from './resources/conversations.js';
import { Health } from './resources/health.js';
import { Keys } from './resources/keys.js';
import { McpServers } from './resources/mcp-servers.js';
import { Models } from './resources/models.js';
import { Runs } from './resources/runs.js';
import { Secrets } from './resources/secrets.js';
import { Sessions } from './resources/sessions.js';
import { SimpleChats } from './resources/simple-chats.js';
import { Skills } from './resources/skills.js';
import { Sockets } from './resources/sockets.js';
import { Tenants } from './resources/tenants.js';
import { Tickets } from './resources/tickets.js';
import { Usage } from './resources/usage.js';
import { Workspace } from './resources/workspace.js';
import type { RetryOptions } from './retry-policy.js';

export interface AgentdClientOptions {
  /** agentd's origin, e.g. `http://127.0.0.1:8080` (without `/api`). */
  baseUrl: string;
  /** An API key, sent as `X-API-Key`. */
  apiKey?: string;
  /** A bearer token (a JWT, or a key), or a function returning a fresh one before each request. */
  token?: TokenSource;
  /** Retries of recoverable errors (backoff, `Retry-After`), bounded. */
  retry?: RetryOptions;
  /** Sent with every request, e.g. `{ 'x-tenant-id': t }` for an admin key on the session API. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** agentd's API, typed from its OpenAPI document. One instance per credential. */
export class AgentdClient {
  readonly tenants: Tenants;
  readonly models: Models;
  readonly conversations: Conversations;
  readonly runs: Runs;
  readonly workspace: Workspace;
  readonly usage: Usage;
  readonly keys: Keys;
  readonly tickets: Tickets;
  readonly sessions: Sessions;
  readonly simpleChats: SimpleChats;
  readonly skills: Skills;
  readonly mcpServers: McpServers;
  readonly secrets: Secrets;
  readonly admin: Admin;
  readonly audit: Audit;
  readonly health: Health;
  readonly sockets: Sockets;
  /** The transport, for a route this client has no method for yet. */
  readonly http: Http;

  constructor(options: AgentdClientOptions) {
    const credentials: Credentials = {
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.token === undefined ? {} : { token: options.token }),
    };
    const http = new Http({
      baseUrl: options.baseUrl,
      credentials,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.http = http;
    this.tenants = new Tenants(http);
    this.models = new Models(http);
    this.conversations = new Conversations(http);
    this.runs = new Runs(http);
    this.workspace = new Workspace(http);
    this.usage = new Usage(http);
    this.keys = new Keys(http);
    this.tickets = new Tickets(http);
    this.sessions = new Sessions(http);
    this.simpleChats = new SimpleChats(http);
    this.skills = new Skills(http);
    this.mcpServers = new McpServers(http);
    this.secrets = new Secrets(http);
    this.admin = new Admin(http);
    this.audit = new Audit(http);
    this.health = new Health(http);
    this.sockets = new Sockets(http);
  }
}
