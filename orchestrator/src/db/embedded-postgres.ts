import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.js';

export interface EmbeddedPostgres {
  /** A PostgreSQL URL on 127.0.0.1 that any pg client (Prisma's adapter, the migrator) can use. */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Headroom over the single connection Prisma's pool keeps (max 1): a connection being replaced or the
 * migrator's may briefly overlap with it. pglite-socket queues their queries onto the one PGlite backend.
 */
const MAX_SOCKET_CONNECTIONS = 2;

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) with its data in `dataDir`, served over the
 * PostgreSQL wire protocol on 127.0.0.1 and a free port. One process at a time may open a data directory:
 * PGlite itself does not lock it, so a lock file next to it does.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  logger: Logger;
}): Promise<EmbeddedPostgres> {
  const log = options.logger.child({ component: 'pglite' });
  const dataDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  const lock = await acquireDirectoryLock(`${dataDir}.lock`, 'the embedded database');
  let db: PGlite | undefined;
  try {
    log.info({ dataDir }, 'Starting embedded PostgreSQL (PGlite)');
    db = await PGlite.create(dataDir);
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: MAX_SOCKET_CONNECTIONS,
    });
    await server.start();
    const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
    log.info({ dataDir, url }, 'Started embedded PostgreSQL (PGlite)');
    return { url, dataDir, close: once(() => stop(server, db, lock, log)) };
  } catch (err) {
    await db?.close().catch(() => undefined);
    await lock.release();
    throw new AgentdError(
      'DEPENDENCY_UNAVAILABLE',
      `cannot start the embedded database in ${dataDir}: ${errorMessage(err)}`,
      {
        cause: err,
        details: { dependency: 'postgres' },
      },
    );
  }
}

async function stop(
  server: PGLiteSocketServer,
  db: PGlite | undefined,
  lock: DirectoryLock,
  log: Logger,
): Promise<void> {
  try {
    await server.stop();
    await db?.close();
    log.info('Stopped embedded PostgreSQL (PGlite)');
  } catch (err) {
    log.error({ err }, 'Failed to stop embedded PostgreSQL (PGlite) cleanly');
  } finally {
    await lock.release();
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
