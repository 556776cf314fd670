import type { AgentdConfig } from './config.js';

const MIN_API_KEY_LENGTH = 16;
// Well-known defaults, including the multi-tenant seed's documented `aiagent_password`.
const WEAK_PASSWORDS = new Set([
  '',
  'postgres',
  'password',
  'changeme',
  'agentd',
  'admin',
  'secret',
  'redis',
  'aiagent_password',
]);
/** docker-compose.yml's own placeholders (`change-me-…`): copied as they are, they are public secrets. */
const PLACEHOLDER = /change[-_]?me/i;

/** What production must not run with, read from the configuration; the daemon adds what only the host can tell. */
export function productionIssues(config: AgentdConfig): string[] {
  const issues: string[] = [];
  if (config.auth.apiKeys.length === 0) issues.push('API_KEYS: production needs at least one admin API key');
  const short = config.auth.apiKeys.filter((k) => k.length < MIN_API_KEY_LENGTH);
  if (short.length > 0)
    issues.push(`API_KEYS: ${short.length} key(s) shorter than ${MIN_API_KEY_LENGTH} characters`);
  const placeholders = config.auth.apiKeys.filter((k) => PLACEHOLDER.test(k));
  if (placeholders.length > 0)
    issues.push(`API_KEYS: ${placeholders.length} key(s) still the "change-me" placeholder`);
  if (config.database.url === undefined) {
    issues.push('DATABASE_URL: production needs PostgreSQL (the embedded PGlite is for development)');
  } else if (weakPassword(passwordOf(config.database.url))) {
    issues.push('DATABASE_URL: the database password is missing, a placeholder or a well-known default');
  }
  const redisPassword = redisPasswordOf(config);
  if (redisPassword !== undefined && weakPassword(redisPassword)) {
    issues.push('REDIS_PASSWORD: the Redis password is a placeholder or a well-known default');
  }
  if (config.metrics.enabled && config.metrics.public)
    issues.push('METRICS_PUBLIC: /metrics must require authentication in production');
  if (config.http.corsOrigins.includes('*')) issues.push('CORS_ORIGINS: "*" is not allowed in production');
  if (config.secrets.keys === undefined)
    issues.push('AGENTD_SECRETS_KEY: production needs an explicit secrets key (keyId:base64 of 32 bytes)');
  return issues;
}

/** What production may run with but an operator should know; logged at start. */
export function productionWarnings(config: AgentdConfig): string[] {
  if (config.redis.url !== undefined && redisPasswordOf(config) === undefined) {
    return ['REDIS_URL: Redis is reached without a password (set REDIS_PASSWORD or put it in the URL)'];
  }
  return [];
}

function weakPassword(password: string | undefined): boolean {
  return password === undefined || WEAK_PASSWORDS.has(password.toLowerCase()) || PLACEHOLDER.test(password);
}

function redisPasswordOf(config: AgentdConfig): string | undefined {
  if (config.redis.password !== undefined) return config.redis.password;
  return config.redis.url === undefined ? undefined : passwordOf(config.redis.url);
}

function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    return undefined;
  }
}
