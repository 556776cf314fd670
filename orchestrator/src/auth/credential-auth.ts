import { AgentdError } from '../common/errors.js';
import { KEY_PREFIX, type ApiKeyAuth } from './api-key-auth.js';
import type { JwtAuth } from './jwt-auth.js';
import { unauthenticated } from './jwt-errors.js';
import type { Principal } from './principal.js';

/** Three base64url segments (the last empty for `alg: none`, which the JWT check then refuses by name). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type CredentialRoute = 'key' | 'jwt' | 'unknown';

/**
 * Which check a presented credential goes to, by its shape alone: an `agd_` key or one of API_KEYS to the key
 * check, a three-segment token to the JWT check, anything else nowhere. No credential is tried against a
 * second check after failing the first, so a failure always has one meaning.
 */
export function routeCredential(
  presented: string,
  isBootstrapKey: (key: string) => boolean,
): CredentialRoute {
  if (presented.startsWith(KEY_PREFIX) || isBootstrapKey(presented)) return 'key';
  if (JWT_SHAPE.test(presented)) return 'jwt';
  return 'unknown';
}

/** Header credentials (API keys and JWTs) and a WebSocket upgrade's `?token=` to a principal. */
export class CredentialAuth {
  constructor(
    private readonly keys: ApiKeyAuth,
    private readonly jwt: JwtAuth | undefined,
  ) {}

  async authenticate(presented: string | undefined): Promise<Principal> {
    if (presented === undefined || presented === '') {
      throw new AgentdError(
        'UNAUTHENTICATED',
        'a credential is required (X-API-Key, or Authorization: Bearer with an API key or a JWT)',
        { details: { reason: 'credential_missing' } },
      );
    }
    const route = routeCredential(presented, (key) => this.keys.isBootstrapKey(key));
    switch (route) {
      case 'key':
        return this.keys.authenticate(presented);
      case 'jwt':
        return this.#jwt(presented);
      case 'unknown':
        throw unauthenticated('credential_format', 'the credential is neither an API key nor a JWT');
    }
  }

  /** A JWT from a WebSocket upgrade's URL (browsers cannot set headers there); never an API key. */
  async authenticateUrlToken(token: string): Promise<Principal> {
    if (routeCredential(token, () => false) !== 'jwt')
      throw unauthenticated('token_not_jwt', '?token= takes only a JWT; send API keys in a header');
    return this.#jwt(token);
  }

  #jwt(token: string): Promise<Principal> {
    if (this.jwt === undefined)
      throw unauthenticated(
        'jwt_not_configured',
        'this agentd accepts no JWTs (no OIDC provider or JWT secret)',
      );
    return this.jwt.authenticate(token);
  }
}
