import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { createDatabase } from '../../orchestrator/src/db/create-database.js';
import { migrate } from '../../orchestrator/src/db/migrate.js';
import type { Store } from '../../orchestrator/src/store/repositories.js';

export const ADMIN_DATABASE_URL =
  process.env.AGENTD_TEST_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends AsyncDisposable {
  name: string;
  url: string;
  store: Store;
  /** Raw SQL on the test database, to look behind the repositories. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  dispose(): Promise<void>;
}

/** The URL of another database on the same server as `adminUrl`. */
export function databaseUrl(name: string, adminUrl = ADMIN_DATABASE_URL): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `integration tests need PostgreSQL at ${ADMIN_DATABASE_URL} (run scripts/ensure-postgres.sh or set AGENTD_TEST_DATABASE_URL)`,
      { cause: err },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const BACKENDS_GONE_TIMEOUT_MS = 5_000;

/**
 * Drops `name` once its connections have closed. `pg.Pool#end()` resolves before its clients' sockets
 * have closed; forcing the drop then terminates them mid-goodbye, and the FATAL 57P01 that reaches a
 * pool without an error listener is an uncaught exception in whichever test file is running. So wait
 * for the server to see the backends go, and only force what is left after that (a real leak).
 */
export async function dropDatabase(name: string): Promise<void> {
  await admin(async (client) => {
    const deadline = Date.now() + BACKENDS_GONE_TIMEOUT_MS;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0]!.n === 0 || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/** An empty database with a fresh name; dropped by the returned function. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `agentd_test_${randomId(10)}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** A fresh, migrated database for one test file, with the store over it; `await using` drops it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-db-'));
  const pool = new pg.Pool({ connectionString: empty.url, max: 2 });
  try {
    await migrate(empty.url, silentLogger());
    const database = await createDatabase({ url: empty.url, stateDir, logger: silentLogger() });
    let disposed: Promise<void> | undefined;
    const dispose = async (): Promise<void> => {
      await database.close();
      await pool.end();
      await empty.drop();
      await rm(stateDir, { recursive: true, force: true });
    };
    return {
      name: empty.name,
      url: empty.url,
      store: database.store,
      sql: async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) =>
        (await pool.query<R>(text, params)).rows,
      dispose: () => (disposed ??= dispose()),
      [Symbol.asyncDispose]: () => (disposed ??= dispose()),
    };
  } catch (err) {
    await pool.end();
    await empty.drop();
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
}
