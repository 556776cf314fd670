import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';

/** In development without API_KEYS, an admin key is generated once and shown in the log. */
export async function ensureDevelopmentKey(
  config: AgentdConfig,
  auth: ApiKeyAuth,
  logger: Logger,
): Promise<string | undefined> {
  if (config.appEnv !== 'development' || config.auth.apiKeys.length > 0) return undefined;
  const admin = await auth.ensureDevelopmentAdminKey(config.stateDir);
  if (admin.created)
    logger.warn(
      { file: admin.file, apiKey: admin.plain },
      'Generated a development admin API key (shown once)',
    );
  return admin.plain;
}
