import path from 'node:path';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/repositories.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';
import { createPrismaClient } from './prisma-client.js';
import { PrismaStore } from './prisma-store.js';
import { redactDatabaseUrl } from './redact-database-url.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** PostgreSQL URL (DATABASE_URL); absent = embedded PGlite in `<stateDir>/pglite`. */
  url?: string | undefined;
  stateDir: string;
  logger: Logger;
  /** Apply pending migrations before returning. Default: true for PGlite, false for PostgreSQL. */
  migrate?: boolean;
}

export interface Database {
  store: Store;
  url: string;
  kind: DatabaseKind;
  /** Closes the store and, for PGlite, the embedded server. Safe to call twice. */
  close(): Promise<void>;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const log = options.logger.child({ component: 'db' });
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (url === undefined || url === '') {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(options.stateDir, 'pglite'),
      logger: options.logger,
    });
    url = embedded.url;
  }
  const kind: DatabaseKind = embedded === undefined ? 'postgres' : 'pglite';
  try {
    if (options.migrate ?? kind === 'pglite') await migrate(url, options.logger);
    const prisma = createPrismaClient({
      url,
      poolMax: kind === 'pglite' ? 1 : 10,
      onConnectionError: (err) => log.warn({ err }, 'Database connection lost; reconnecting on next use'),
    });
    const store = new PrismaStore(prisma);
    log.info({ kind, url: redactDatabaseUrl(url) }, 'Database ready');
    let closed: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      await store.close();
      await embedded?.close();
    };
    return { store, url, kind, close: () => (closed ??= close()) };
  } catch (err) {
    await embedded?.close();
    throw err;
  }
}
