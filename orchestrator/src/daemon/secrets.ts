import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { loadSecretKeyring, type SecretKeyring } from '../secrets/secret-keyring.js';
import { SecretService, type SecretAuditLog } from '../secrets/secret-service.js';
import type { Store } from '../store/repositories.js';

/**
 * The secrets keyring, checked before anything is opened: production or several nodes (REDIS_URL) without
 * AGENTD_SECRETS_KEY refuse to start; development generates a key into the state dir once.
 */
export async function openSecretKeyring(config: AgentdConfig, logger: Logger): Promise<SecretKeyring> {
  const { keyring, generatedFile } = await loadSecretKeyring({
    keys: config.secrets.keys,
    stateDir: config.stateDir,
    production: config.appEnv === 'production',
    multiNode: config.redis.url !== undefined,
  });
  if (generatedFile !== undefined)
    logger.warn(
      { file: generatedFile, keyId: keyring.current.id },
      'Generated a development secrets key (set AGENTD_SECRETS_KEY to keep secrets readable elsewhere)',
    );
  return keyring;
}

export function createSecretService(
  config: AgentdConfig,
  keyring: SecretKeyring,
  store: Store,
  audit: SecretAuditLog,
  logger: Logger,
): SecretService {
  return new SecretService({
    secrets: store.secrets,
    tenants: store.tenants,
    keyring,
    audit,
    maxPerTenant: config.secrets.maxPerTenant,
    logger,
  });
}
