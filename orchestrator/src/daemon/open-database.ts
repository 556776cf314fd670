import { chmod, mkdir } from 'node:fs/promises';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { ensureBuiltinModels } from '../db/builtin-models.js';
import { createDatabase, type Database } from '../db/create-database.js';

/**
 * Opens PostgreSQL (or embedded PGlite in the state directory, created 0711 so sandboxes' socket directories
 * below it are reachable but not listable), migrating where configured; development gets the built-in models.
 */
export async function openDatabase(config: AgentdConfig, logger: Logger): Promise<Database> {
  await mkdir(config.stateDir, { recursive: true, mode: 0o711 });
  await chmod(config.stateDir, 0o711);
  const database = await createDatabase({
    url: config.database.url,
    stateDir: config.stateDir,
    logger,
    migrate: config.database.url === undefined || config.database.autoMigrate,
  });
  try {
    if (config.appEnv === 'development') await ensureBuiltinModels(database.store);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}
