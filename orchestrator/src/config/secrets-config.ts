import type { EnvReader } from './env-reader.js';

/** One AES-256 key of the secrets keyring. */
export interface SecretKeyConfig {
  id: string;
  key: Buffer;
}

export interface SecretsConfig {
  /** AGENTD_SECRETS_KEY: the first key seals, older ones only open; undefined when not set. */
  keys: SecretKeyConfig[] | undefined;
  /** AGENTD_SECRETS_MAX_PER_TENANT. */
  maxPerTenant: number;
}

export const SECRET_KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
const KEY_BYTES = 32;

/**
 * Parses `keyId:base64(32 bytes)[,keyId:base64…]`. Problems are returned, never the key material (the
 * message must be safe to log).
 */
export function parseSecretKeys(text: string): { keys: SecretKeyConfig[]; issues: string[] } {
  const keys: SecretKeyConfig[] = [];
  const issues: string[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) issues.push('no key given');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const material = colon < 0 ? '' : entry.slice(colon + 1);
    if (!SECRET_KEY_ID_PATTERN.test(id)) {
      issues.push(
        `key ${index + 1}: expected keyId:base64 with a key id of 1-32 letters, digits, '.', '_', '-'`,
      );
      return;
    }
    const key = Buffer.from(material, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material) || key.length !== KEY_BYTES) {
      issues.push(`key ${id}: must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
      return;
    }
    if (keys.some((k) => k.id === id)) {
      issues.push(`key ${id}: listed twice`);
      return;
    }
    keys.push({ id, key });
  });
  return { keys, issues };
}

export function loadSecretsConfig(r: EnvReader): SecretsConfig {
  const text = r.optionalString('AGENTD_SECRETS_KEY');
  let keys: SecretKeyConfig[] | undefined;
  if (text !== undefined) {
    const parsed = parseSecretKeys(text);
    for (const issue of parsed.issues) r.issues.push(`AGENTD_SECRETS_KEY: ${issue}`);
    keys = parsed.keys;
  }
  return { keys, maxPerTenant: r.integer('AGENTD_SECRETS_MAX_PER_TENANT', 100, 1, 10_000) };
}
