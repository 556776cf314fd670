import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { providerUnavailable } from './jwt-errors.js';

/** Where a token's keys come from, the issuer the source vouches for, and which algorithms may sign. */
export interface JwtKeys {
  issuer: string | undefined;
  key: JWTVerifyGetKey | Uint8Array;
  algorithms: string[];
}

export interface JwtKeySource {
  resolve(): Promise<JwtKeys>;
}

export interface OidcKeySourceOptions {
  discoveryUrl: string;
  refreshCooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/** Only asymmetric algorithms: a provider's public key used as an HMAC secret must not verify (HS/RS confusion). */
const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
/**
 * After a failed fetch, callers get 503 at once for this long (or the refresh cooldown, if shorter) instead of
 * each sending a provider that is down another request.
 */
const MAX_FAILURE_BACKOFF_MS = 5_000;
const MAX_DISCOVERY_BYTES = 256 * 1024;

interface Provider {
  issuer: string;
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

/**
 * An OIDC provider's keys: its discovery document is read once, its JWKS cached and fetched again when stale;
 * an unknown `kid` triggers one refresh per cooldown (jose's remote JWK set), so rotated keys are picked up
 * and a stream of made-up `kid`s cannot make agentd hammer the provider.
 */
export class OidcKeySource implements JwtKeySource {
  #provider: Promise<Provider> | undefined;
  #failedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OidcKeySourceOptions) {}

  async resolve(): Promise<JwtKeys> {
    const provider = await this.#discover();
    const getKey: JWTVerifyGetKey = async (header, token) => {
      // jose fetches again when its cache is stale or the kid unknown: not while a provider just failed.
      const cached = provider.jwks.jwks()?.keys ?? [];
      const fetches =
        !provider.jwks.fresh || (header.kid !== undefined && !cached.some((k) => k.kid === header.kid));
      if (fetches && this.#backingOff()) throw providerUnavailable('signing keys', undefined);
      try {
        return await provider.jwks(header, token);
      } catch (err) {
        // No key for this token: the token's problem. Anything else is the key set's fetch failing.
        if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
          throw err;
        if (err instanceof errors.JOSENotSupported) throw err;
        this.#failed(err, 'JWKS');
        throw providerUnavailable('signing keys', err);
      }
    };
    return { issuer: provider.issuer, key: getKey, algorithms: ASYMMETRIC };
  }

  #discover(): Promise<Provider> {
    if (this.#provider) return this.#provider;
    if (this.#backingOff()) return Promise.reject(providerUnavailable('discovery document', undefined));
    const pending = this.#fetchDiscovery().catch((err: unknown) => {
      this.#provider = undefined;
      this.#failed(err, 'discovery document');
      throw providerUnavailable('discovery document', err);
    });
    this.#provider = pending;
    return pending;
  }

  async #fetchDiscovery(): Promise<Provider> {
    const { discoveryUrl, timeoutMs, refreshCooldownMs, cacheMaxAgeMs } = this.options;
    const res = await fetch(discoveryUrl, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) throw new Error(`discovery document: HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DISCOVERY_BYTES) throw new Error('discovery document: too large');
    const doc = JSON.parse(text) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || doc.issuer === '') throw new Error('discovery document: no issuer');
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document: no jwks_uri');
    const jwksUri = new URL(doc.jwks_uri);
    if (!['http:', 'https:'].includes(jwksUri.protocol))
      throw new Error('discovery document: jwks_uri not http(s)');
    this.options.logger.info(
      { issuer: doc.issuer, jwksUri: jwksUri.href },
      'Read the OIDC discovery document',
    );
    return {
      issuer: doc.issuer,
      jwks: createRemoteJWKSet(jwksUri, {
        cooldownDuration: refreshCooldownMs,
        cacheMaxAge: cacheMaxAgeMs,
        timeoutDuration: timeoutMs,
      }),
    };
  }

  #backingOff(): boolean {
    const backoff = Math.min(MAX_FAILURE_BACKOFF_MS, this.options.refreshCooldownMs);
    return this.options.clock.now() - this.#failedAt < backoff;
  }

  #failed(err: unknown, what: string): void {
    this.#failedAt = this.options.clock.now();
    this.options.logger.warn({ err }, `Could not fetch the identity provider's ${what}`);
  }
}
