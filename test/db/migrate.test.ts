import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdError } from '../../orchestrator/src/common/errors.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { createDatabase } from '../../orchestrator/src/db/create-database.js';
import { MIGRATIONS_DIR, migrate } from '../../orchestrator/src/db/migrate.js';
import { createPrismaClient } from '../../orchestrator/src/db/prisma-client.js';
import { PrismaStore } from '../../orchestrator/src/db/prisma-store.js';
import { createEmptyDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const PRISMA_CLI = path.join(REPO_ROOT, 'node_modules', 'prisma', 'build', 'index.js');

/** The Prisma CLI, offline: DATABASE_URL is always set so it never tries to download an engine. */
async function prisma(url: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [PRISMA_CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    timeout: 120_000,
  });
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Everything about the public schema that a migration can get wrong, in a stable order. */
async function describeSchema(url: string): Promise<unknown> {
  return {
    columns: await query(
      url,
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
              numeric_precision, numeric_scale, datetime_precision
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
       ORDER BY table_name, column_name`,
    ),
    indexes: await query(
      url,
      `SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
    ),
    constraints: await query(
      url,
      `SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations' ORDER BY c.conname`,
    ),
    enums: await query(
      url,
      `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
       ORDER BY t.typname, e.enumsortorder`,
    ),
  };
}

const dropped: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of dropped) await drop();
});

async function emptyDatabase(): Promise<string> {
  const db = await createEmptyDatabase();
  dropped.push(() => db.drop());
  return db.url;
}

describe('migrate', () => {
  let url: string;
  beforeAll(async () => {
    url = await emptyDatabase();
  });

  it('applies the committed migrations once; a second run is a no-op', async () => {
    const first = await migrate(url, silentLogger());
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.skipped).toEqual([]);
    const history = await query<{ migration_name: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(history.map((h) => h.migration_name)).toEqual(first.applied);
    expect(history.every((h) => h.finished_at !== null)).toBe(true);
    const schema = await describeSchema(url);

    const second = await migrate(url, silentLogger());
    expect(second).toEqual({ applied: [], skipped: first.applied });
    expect(await query(url, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([
      { n: history.length },
    ]);
    expect(await describeSchema(url)).toEqual(schema);
    expect(await query(url, `SELECT nextval('run_fencing_seq') > 0 AS ok`)).toEqual([{ ok: true }]);
  });

  it('concurrent migrations serialise on the advisory lock: each migration is applied once', async () => {
    const fresh = await emptyDatabase();
    const [a, b] = await Promise.all([migrate(fresh, silentLogger()), migrate(fresh, silentLogger())]);
    const all = [...a.applied, ...b.applied].sort();
    expect(all).toEqual((await migrate(fresh, silentLogger())).skipped);
    expect(Math.min(a.applied.length, b.applied.length)).toBe(0);
    const rows = await query<{ migration_name: string }>(
      fresh,
      'SELECT migration_name FROM _prisma_migrations',
    );
    expect(rows.map((r) => r.migration_name).sort()).toEqual(all);
  });

  it('keeps the history Prisma keeps: `prisma migrate deploy` then finds nothing to apply', async () => {
    const { stdout } = await prisma(url, 'migrate', 'deploy');
    expect(stdout).toMatch(/No pending migrations to apply/);
    const status = await prisma(url, 'migrate', 'status');
    expect(status.stdout).toMatch(/Database schema is up to date/);
  });

  it('and works on a database `prisma migrate deploy` migrated', async () => {
    const fresh = await emptyDatabase();
    await prisma(fresh, 'migrate', 'deploy');
    expect((await migrate(fresh, silentLogger())).applied).toEqual([]);
  });

  it('produces exactly the schema of prisma/schema.prisma', async () => {
    const fromSchema = await emptyDatabase();
    const { stdout: script } = await prisma(
      fromSchema,
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    );
    await query(fromSchema, script);
    expect(await describeSchema(url)).toEqual(await describeSchema(fromSchema));
  });

  it('rolls a failing migration back completely and reports it', async () => {
    const fresh = await emptyDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(path.join(dir, '99999999999999_broken'));
      await writeFile(
        path.join(dir, '99999999999999_broken', 'migration.sql'),
        'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
      );
      const failure = migrate(fresh, silentLogger(), { migrationsDir: dir });
      await expect(failure).rejects.toBeInstanceOf(AgentdError);
      await expect(failure).rejects.toThrow(/99999999999999_broken failed/);
      expect(await query(fresh, `SELECT to_regclass('public.half_done') IS NULL AS gone`)).toEqual([
        { gone: true },
      ]);
      const names = await query<{ migration_name: string }>(
        fresh,
        'SELECT migration_name FROM _prisma_migrations',
      );
      expect(names.map((n) => n.migration_name)).not.toContain('99999999999999_broken');
      // The good migrations before it stay applied; the default directory then finds nothing to do.
      expect((await migrate(fresh, silentLogger())).applied).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a dead database', () => {
  it('a server that accepts but never answers fails the ping within its timeout', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const store = new PrismaStore(
      createPrismaClient({ url: `postgresql://postgres:postgres@127.0.0.1:${port}/agentd` }),
    );
    try {
      const started = Date.now();
      await expect(store.ping(300)).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
      });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await store.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const deadUrl = 'postgresql://postgres:postgres@127.0.0.1:1/agentd';

  it('makes migrate fail with DEPENDENCY_UNAVAILABLE', async () => {
    const failure = migrate(deadUrl, silentLogger(), { connectTimeoutMs: 2000 });
    await expect(failure).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      details: { dependency: 'postgres' },
    });
    await expect(failure).rejects.not.toThrow(/postgres:postgres/);
  });

  it('makes ping and queries fail with DEPENDENCY_UNAVAILABLE', async () => {
    const db = await createDatabase({ url: deadUrl, stateDir: tmpdir(), logger: silentLogger() });
    try {
      await expect(db.store.ping()).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        recoverable: true,
        details: { dependency: 'postgres' },
      });
      await expect(db.store.tenants.list({ limit: 1 })).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
      });
      await expect(db.store.runs.appendMessages('run_x', 1n, [])).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
      });
    } finally {
      await db.close();
      await db.close();
    }
  });
});
