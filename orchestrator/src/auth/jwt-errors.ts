import { errors } from 'jose';
import { AgentdError, isAgentdError } from '../common/errors.js';

/** A refused credential: 401 `UNAUTHENTICATED` with a stable `details.reason`, never the token itself. */
export function unauthenticated(reason: string, message: string): AgentdError {
  return new AgentdError('UNAUTHENTICATED', message, { details: { reason } });
}

/** The identity provider's discovery document or keys could not be read: the caller may retry (503). */
export function providerUnavailable(what: string, cause: unknown): AgentdError {
  return new AgentdError('DEPENDENCY_UNAVAILABLE', `the identity provider's ${what} could not be fetched`, {
    cause,
    recoverable: true,
    retryAfterSeconds: 5,
    details: { dependency: 'oidc' },
  });
}

const CLAIM_REASONS: Record<string, [string, string]> = {
  nbf: ['token_not_yet_valid', 'the token is not valid yet'],
  iss: ['wrong_issuer', 'the token is from another issuer'],
  aud: ['wrong_audience', 'the token is for another audience'],
  exp: ['missing_expiry', 'the token has no valid expiry'],
  iat: ['invalid_issued_at', 'the token has an invalid issue time'],
};

/** What a failed verification says to the caller: one stable reason per case; anything unknown stays a bug. */
export function jwtFailure(err: unknown): AgentdError {
  if (isAgentdError(err)) return err;
  if (err instanceof errors.JWTExpired) return unauthenticated('token_expired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const [reason, message] = CLAIM_REASONS[err.claim] ?? [
      'invalid_claims',
      'the token’s claims are invalid',
    ];
    return unauthenticated(reason, message);
  }
  // `alg: none`, or an HMAC token where the provider signs asymmetrically (HS/RS confusion), and the reverse.
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return unauthenticated('alg_not_allowed', 'the token’s signing algorithm is not accepted');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return unauthenticated('unknown_kid', 'no known key matches the token’s key id');
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return unauthenticated('bad_signature', 'the token’s signature does not verify');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return unauthenticated('token_malformed', 'the token is not a well-formed JWT');
  throw err;
}
