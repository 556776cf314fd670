import { createRequestAuthenticator, type RequestAuthenticator } from '../api/access.js';
import { ApiKeyAuth } from '../auth/api-key-auth.js';
import { CredentialAuth } from '../auth/credential-auth.js';
import { JwtAuth } from '../auth/jwt-auth.js';
import { OidcKeySource, type JwtKeySource } from '../auth/oidc-key-source.js';
import { TicketService } from '../auth/ticket-service.js';
import type { Clock } from '../common/clock.js';
import type { SharedCache } from '../common/shared-cache.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { JwtConfig } from '../config/jwt-config.js';
import type { Coordination } from '../coordination/coordination.js';
import type { ApiKey } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

export interface Credentials {
  auth: ApiKeyAuth;
  tickets: TicketService;
  /** Every credential a request may carry (header key or JWT, ticket, an upgrade's `?token=`) to a principal. */
  authenticate: RequestAuthenticator;
}

/** API keys, JWTs and browser tickets, and the one authenticator the HTTP and WebSocket routes share. */
export function createCredentials(deps: {
  config: AgentdConfig;
  store: Store;
  coordination: Pick<Coordination, 'tickets'>;
  keyCache?: SharedCache<ApiKey>;
  clock: Clock;
  logger: Logger;
}): Credentials {
  const { config, store, clock } = deps;
  const auth = new ApiKeyAuth({
    store,
    bootstrapKeys: config.auth.apiKeys,
    clock,
    logger: deps.logger,
    ...(deps.keyCache === undefined ? {} : { cache: deps.keyCache }),
  });
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
  const jwt = config.auth.jwt === undefined ? undefined : createJwtAuth(config.auth.jwt, clock, deps.logger);
  const credentials = new CredentialAuth(auth, jwt);
  return { auth, tickets, authenticate: createRequestAuthenticator({ auth: credentials, tickets }) };
}

function createJwtAuth(config: JwtConfig, clock: Clock, logger: Logger): JwtAuth {
  const { keys: source } = config;
  const keys: JwtKeySource =
    source.kind === 'oidc'
      ? new OidcKeySource({ ...source, clock, logger: logger.child({ component: 'oidc' }) })
      : {
          resolve: () =>
            Promise.resolve({
              issuer: undefined,
              key: new TextEncoder().encode(source.secret),
              algorithms: ['HS256'],
            }),
        };
  return new JwtAuth({
    keys,
    issuer: config.issuer,
    audiences: config.audiences,
    claims: config.claims,
    clockToleranceSec: config.clockToleranceSec,
    clock,
  });
}
