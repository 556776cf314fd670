import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Clock } from '../common/clock.js';
import { principalFromClaims, type ClaimMapping } from './jwt-claims.js';
import { jwtFailure, unauthenticated } from './jwt-errors.js';
import type { JwtKeySource } from './oidc-key-source.js';
import type { Principal } from './principal.js';

export interface JwtAuthOptions {
  keys: JwtKeySource;
  /** The expected `iss`; unset: the key source's (an OIDC provider's own issuer), else not checked. */
  issuer: string | undefined;
  /** Accepted `aud` values or Cognito `client_id`s; empty: not checked (HS256 only; OIDC requires them). */
  audiences: readonly string[];
  claims: ClaimMapping;
  clockToleranceSec: number;
  clock: Clock;
}

/** Real ID tokens outgrow an API key's 512 characters; this bounds what one verification may parse. */
export const MAX_JWT_LENGTH = 16 * 1024;

/** Verifies a JWT bearer token (signature, expiry, issuer, audience) and maps its claims to a principal. */
export class JwtAuth {
  constructor(private readonly options: JwtAuthOptions) {}

  async authenticate(token: string): Promise<Principal> {
    if (token.length > MAX_JWT_LENGTH)
      throw unauthenticated('token_too_long', `the token is longer than ${MAX_JWT_LENGTH} characters`);
    const source = await this.options.keys.resolve();
    const issuer = this.options.issuer ?? source.issuer;
    const verify: JWTVerifyOptions = {
      algorithms: source.algorithms,
      clockTolerance: this.options.clockToleranceSec,
      currentDate: new Date(this.options.clock.now()),
      // A token without an expiry would be valid forever.
      requiredClaims: ['exp'],
      ...(issuer === undefined ? {} : { issuer }),
    };
    let payload: JWTPayload;
    try {
      payload = (
        source.key instanceof Uint8Array
          ? await jwtVerify(token, source.key, verify)
          : await jwtVerify(token, source.key, verify)
      ).payload;
    } catch (err) {
      throw jwtFailure(err);
    }
    this.#checkAudience(payload);
    return principalFromClaims(payload, issuer ?? payload.iss ?? '', this.options.claims);
  }

  /** ID tokens name their client in `aud`; Cognito access tokens in `client_id` (and carry no `aud`). */
  #checkAudience(payload: JWTPayload): void {
    const { audiences } = this.options;
    if (audiences.length === 0) return;
    const aud = payload.aud === undefined ? [] : [payload.aud].flat();
    const clientId = typeof payload.client_id === 'string' ? [payload.client_id] : [];
    if (![...aud, ...clientId].some((value) => audiences.includes(value)))
      throw unauthenticated('wrong_audience', 'the token is for another audience');
  }
}
