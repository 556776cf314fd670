import { randomBytes } from 'node:crypto';

/**
 * One AGENTD_SECRETS_KEY for every daemon this test process starts (in process or spawned), so nodes sharing
 * a database (fleet suites, restarts) open each other's secrets; a suite about the key itself overrides it.
 */
export const TEST_SECRETS_KEY = `test:${randomBytes(32).toString('base64')}`;
