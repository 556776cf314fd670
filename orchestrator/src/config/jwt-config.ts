import type { EnvReader } from './env-reader.js';

/** `claim=value`: a token whose claim equals the value (or lists it) gets admin rights. */
export interface ClaimRule {
  claim: string;
  value: string;
}

/** Where a token's signing keys come from: an OIDC provider's JWKS, or one shared HS256 secret. */
export type JwtKeys =
  | {
      kind: 'oidc';
      discoveryUrl: string;
      /** After a JWKS fetch, an unknown `kid` triggers no new fetch for this long. */
      refreshCooldownMs: number;
      /** Cached keys are fetched again after this long even when every `kid` is known. */
      cacheMaxAgeMs: number;
      /** One discovery or JWKS request may take this long. */
      timeoutMs: number;
    }
  | { kind: 'secret'; secret: string };

/** JWT bearer tokens (AGENTD_OIDC_* / AGENTD_JWT_*); undefined when neither mode is configured. */
export interface JwtConfig {
  keys: JwtKeys;
  /** The expected `iss`; OIDC mode defaults to the discovery document's issuer. */
  issuer: string | undefined;
  /** Accepted `aud` values or `client_id`s (Cognito access tokens carry `client_id`, not `aud`). */
  audiences: string[];
  claims: {
    /** Holds the agentd tenant id of a tenant-scoped token. */
    tenant: string;
    /** The caller's stable subject: rate limits, connection caps and the audit actor key on it. */
    user: string;
    /** Admin rights only through one of these rules; none by default. */
    admin: ClaimRule[];
  };
  clockToleranceSec: number;
}

/** Symmetric keys shorter than the hash (256 bits) weaken HS256. */
const MIN_SECRET_LENGTH = 32;

export function loadJwtConfig(r: EnvReader): JwtConfig | undefined {
  const discoveryUrl = r.optionalString('AGENTD_OIDC_DISCOVERY_URL');
  const secret = r.optionalString('AGENTD_JWT_SECRET');
  const issuer = r.optionalString('AGENTD_OIDC_ISSUER');
  const audiences = list(r.optionalString('AGENTD_OIDC_AUDIENCES'));
  const tenant = r.string('AGENTD_OIDC_TENANT_CLAIM', 'tenant_id');
  const user = r.string('AGENTD_OIDC_USER_CLAIM', 'sub');
  const admin = parseClaimRules(r, r.optionalString('AGENTD_OIDC_ADMIN_CLAIM'));
  const clockToleranceSec = Math.round(r.durationMs('AGENTD_JWT_CLOCK_TOLERANCE', 30_000, 0) / 1000);
  const refreshCooldownMs = r.durationMs('AGENTD_OIDC_JWKS_COOLDOWN', 30_000, 0);
  const cacheMaxAgeMs = r.durationMs('AGENTD_OIDC_JWKS_MAX_AGE', 10 * 60_000, 1000);
  const timeoutMs = r.durationMs('AGENTD_OIDC_TIMEOUT', 5_000, 100);
  const claims = { tenant, user, admin };
  if (discoveryUrl !== undefined && secret !== undefined) {
    r.issues.push('AGENTD_OIDC_DISCOVERY_URL/AGENTD_JWT_SECRET: set one of them, not both');
    return undefined;
  }
  if (discoveryUrl !== undefined) {
    if (!isHttpUrl(discoveryUrl)) r.issues.push('AGENTD_OIDC_DISCOVERY_URL: must be an http(s) URL');
    // Without an audience check any token the provider issues to any of its clients would be accepted.
    if (audiences.length === 0)
      r.issues.push('AGENTD_OIDC_AUDIENCES: required with AGENTD_OIDC_DISCOVERY_URL (allowed client ids)');
    return {
      keys: { kind: 'oidc', discoveryUrl, refreshCooldownMs, cacheMaxAgeMs, timeoutMs },
      issuer,
      audiences,
      claims,
      clockToleranceSec,
    };
  }
  if (secret !== undefined) {
    if (secret.length < MIN_SECRET_LENGTH)
      r.issues.push(`AGENTD_JWT_SECRET: must be at least ${MIN_SECRET_LENGTH} characters`);
    return { keys: { kind: 'secret', secret }, issuer, audiences, claims, clockToleranceSec };
  }
  return undefined;
}

/** `AGENTD_OIDC_ADMIN_CLAIM`: comma-separated `claim=value` rules (the claim may contain `:` or `/`). */
function parseClaimRules(r: EnvReader, text: string | undefined): ClaimRule[] {
  return list(text).flatMap((rule) => {
    const eq = rule.indexOf('=');
    const claim = eq < 0 ? '' : rule.slice(0, eq).trim();
    const value = eq < 0 ? '' : rule.slice(eq + 1).trim();
    if (claim === '' || value === '') {
      r.issues.push(
        `AGENTD_OIDC_ADMIN_CLAIM: "${rule}" is not claim=value (e.g. cognito:groups=agentd-admins)`,
      );
      return [];
    }
    return [{ claim, value }];
  });
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** What production must not run with: signing keys fetched in cleartext could be swapped on the way. */
export function jwtProductionIssues(jwt: JwtConfig | undefined): string[] {
  if (jwt?.keys.kind !== 'oidc' || jwt.keys.discoveryUrl.startsWith('https://')) return [];
  return [
    'AGENTD_OIDC_DISCOVERY_URL: production needs an https:// URL (keys fetched in cleartext can be forged)',
  ];
}
