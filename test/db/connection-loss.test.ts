import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { createDatabase } from '../../orchestrator/src/db/create-database.js';
import { migrate } from '../../orchestrator/src/db/migrate.js';
import { ADMIN_DATABASE_URL, createEmptyDatabase } from '../support/test-database.js';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger(lines: Record<string, unknown>[]): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

it('survives the server terminating its idle connections: logs it, then reconnects on next use', async () => {
  const empty = await createEmptyDatabase();
  const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-db-'));
  const lines: Record<string, unknown>[] = [];
  try {
    await migrate(empty.url, silentLogger());
    const database = await createDatabase({ url: empty.url, stateDir, logger: capturingLogger(lines) });
    try {
      const tenant = await database.store.tenants.create({ name: 'before the restart' });

      // What a PostgreSQL restart or an administrator's pg_terminate_backend does to idle pooled
      // connections. Unhandled, the FATAL arriving on them would crash the daemon.
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1',
          [empty.name],
        );
        expect(rows[0]!.n).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await expect
        .poll(() => lines.filter((l) => l.msg === 'Database connection lost; reconnecting on next use'))
        .not.toEqual([]);
      const lost = lines.find((l) => l.msg === 'Database connection lost; reconnecting on next use')!;
      expect(lost).toMatchObject({ level: 40, component: 'db', err: { code: '57P01' } });

      expect(await database.store.tenants.get(tenant.id)).toMatchObject({ name: 'before the restart' });
    } finally {
      await database.close();
    }
  } finally {
    await empty.drop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
