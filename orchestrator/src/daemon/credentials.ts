import { createRequestAuthenticator, type RequestAuthenticator } from '../api/access.js';
import { ApiKeyAuth } from '../auth/api-key-auth.js';
import { TicketService } from '../auth/ticket-service.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { Coordination } from '../coordination/coordination.js';
import type { Store } from '../store/repositories.js';

export interface Credentials {
  auth: ApiKeyAuth;
  tickets: TicketService;
  /** Every credential a request may carry (header key, ticket) to a principal. */
  authenticate: RequestAuthenticator;
}

/** API keys and browser tickets, and the one authenticator the HTTP and WebSocket routes share. */
export function createCredentials(deps: {
  config: AgentdConfig;
  store: Store;
  coordination: Pick<Coordination, 'tickets'>;
  clock: Clock;
  logger: Logger;
}): Credentials {
  const { config, store, clock } = deps;
  const auth = new ApiKeyAuth({ store, bootstrapKeys: config.auth.apiKeys, clock, logger: deps.logger });
  const { runs } = config;
  const tickets = new TicketService({
    tickets: deps.coordination.tickets,
    store,
    clock,
    settings: {
      conversationTtlMs: config.tickets.conversationTtlMs,
      runGraceMs: runs.disconnectGraceMs,
      // A run ticket cannot outlive the longest run plus its stop and its clients' grace.
      runMaxTtlMs: runs.runTimeoutMs + runs.cancelGraceMs + runs.disconnectGraceMs,
    },
  });
  return { auth, tickets, authenticate: createRequestAuthenticator({ auth, tickets }) };
}
