import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { isDatabaseUnavailable } from './db-errors.js';
import { redactDatabaseUrl } from './redact-database-url.js';

/** prisma/migrations, from orchestrator/src/db and from orchestrator/dist/db alike. */
export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'prisma',
  'migrations',
);

// The key `prisma migrate deploy` locks too, so agentd and the Prisma CLI never migrate at the same time.
const PRISMA_MIGRATE_LOCK = 72707369;

// Exactly the table `prisma migrate deploy` creates: both tools see the same history.
const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  migrationsDir?: string;
  connectTimeoutMs?: number;
  /** Called before each migration this call applies (the CLI's progress). */
  onApply?: (name: string) => void;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations that were already applied. */
  skipped: string[];
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies the committed SQL migrations (prisma/migrations) that the database has not seen, each in its own
 * transaction together with its `_prisma_migrations` row, the history table `prisma migrate deploy` keeps:
 * the Prisma CLI and this function can take turns on one database. Needs no Prisma CLI at run time.
 */
export async function migrate(
  url: string,
  logger: Logger,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const log = logger.child({ component: 'migrate' });
  const migrations = await readMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  client.on('error', (err) => log.warn({ err }, 'Database connection error during migration'));
  try {
    await client.connect();
  } catch (err) {
    throw unavailable(url, err);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_HISTORY);
    const history = await client.query<HistoryRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const done = checkHistory(history.rows, migrations, log);
    const result: MigrateResult = { applied: [], skipped: [] };
    for (const migration of migrations) {
      if (done.has(migration.name)) {
        result.skipped.push(migration.name);
        continue;
      }
      log.info({ migration: migration.name }, 'Applying migration');
      options.onApply?.(migration.name);
      await apply(client, migration);
      log.info({ migration: migration.name }, 'Applied migration');
      result.applied.push(migration.name);
    }
    if (result.applied.length === 0)
      log.debug({ migrations: migrations.length }, 'Database schema is up to date');
    return result;
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw unavailable(url, err);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new AgentdError(
      'INTERNAL_ERROR',
      `cannot read the migrations directory ${dir}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const bytes = await readFile(path.join(dir, name, 'migration.sql'));
    migrations.push({
      name,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  if (migrations.length === 0) throw new AgentdError('INTERNAL_ERROR', `no migrations found in ${dir}`);
  return migrations;
}

/** Names of the migrations already applied; refuses to go on after a failed one, as Prisma does. */
function checkHistory(rows: HistoryRow[], migrations: MigrationFile[], log: Logger): Set<string> {
  const local = new Map(migrations.map((m) => [m.name, m]));
  const done = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    if (row.finished_at === null) {
      throw new AgentdError(
        'INTERNAL_ERROR',
        `migration ${row.migration_name} failed earlier and was not resolved; fix the database, then run ` +
          `\`prisma migrate resolve --rolled-back ${row.migration_name}\` (or --applied)`,
        { details: { migration: row.migration_name } },
      );
    }
    const file = local.get(row.migration_name);
    if (file === undefined) {
      log.warn(
        { migration: row.migration_name },
        'The database has a migration this build does not know (newer code ran?)',
      );
    } else if (file.checksum !== row.checksum) {
      log.warn({ migration: row.migration_name }, 'A migration was modified after it was applied');
    }
    done.add(row.migration_name);
  }
  return done;
}

async function apply(client: pg.Client, migration: MigrationFile): Promise<void> {
  const startedAt = new Date();
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, now(), 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isDatabaseUnavailable(err)) throw err;
    throw new AgentdError('INTERNAL_ERROR', `migration ${migration.name} failed: ${errorMessage(err)}`, {
      cause: err,
      details: { migration: migration.name },
    });
  }
}

function unavailable(url: string, err: unknown): AgentdError {
  return new AgentdError(
    'DEPENDENCY_UNAVAILABLE',
    `cannot reach the database at ${redactDatabaseUrl(url)}: ${errorMessage(err)}`,
    {
      cause: err,
      recoverable: true,
      details: { dependency: 'postgres' },
    },
  );
}
