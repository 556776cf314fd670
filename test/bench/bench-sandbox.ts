/**
 * npm run bench:sandbox — sandbox allocation latency on the real engine, against `docker run -d` of the same
 * image measured in the same run. Not a test: it prints a table.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { percentile, table, type Row } from './stats.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 20);

async function main(): Promise<void> {
  const daemon = await startTestDaemon({
    env: { AGENTD_POOL_SIZE: '1', AGENTD_MAX_SANDBOXES_PER_TENANT: '1000' },
  });
  try {
    process.stderr.write(`bench:sandbox: ${N} samples each on ${daemon.hostSecurity.engine.serverVersion}\n`);
    const warm: number[] = [];
    for (let i = 0; i < N; i++) {
      await daemon.pool.settled();
      const t0 = performance.now();
      const lease = await daemon.sandboxes.acquire({ tenantId: 'bench', conversationId: `warm-${i}` });
      warm.push(performance.now() - t0);
      if (lease.source !== 'pool') throw new Error(`expected a pool claim, got ${lease.source}`);
      await daemon.sandboxes.remove(lease.record.id, 'manual');
    }
    daemon.policy.current = { ...daemon.policy.current, poolSize: { standard: 0 } };
    await daemon.pool.settled();
    await daemon.reaper.reapOnce();
    const cold: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const lease = await daemon.sandboxes.acquire({ tenantId: 'bench', conversationId: `cold-${i}` });
      cold.push(performance.now() - t0);
      if (lease.source !== 'cold') throw new Error(`expected a cold create, got ${lease.source}`);
      await daemon.sandboxes.remove(lease.record.id, 'manual');
    }
    const cli: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const { stdout } = await run('docker', [
        'run',
        '-d',
        '--network',
        'none',
        '--entrypoint',
        'sleep',
        daemon.config.sandbox.image,
        '60',
      ]);
      cli.push(performance.now() - t0);
      await run('docker', ['rm', '-f', stdout.trim()]);
    }
    const baseline: Row = {
      name: '`docker run -d` (CLI, same image)',
      samples: cli,
      note: 'CLI create+start, returns when started',
    };
    const rows: Row[] = [
      { name: 'warm-pool claim', samples: warm, note: 'claim + health ping of a ready sandbox' },
      { name: 'cold create+start', samples: cold, note: 'hardened create + start + runner called home' },
      baseline,
    ];
    process.stdout.write(`\n${table(rows, baseline)}\n`);
    const cliName = 'docker run -d, same image';
    recordResult({
      benchmark: 'sandbox',
      measure: 'warm-pool claim (p50)',
      unit: 'ms',
      agentd: percentile(warm, 50),
      baseline: percentile(cli, 50),
      baselineName: cliName,
      better: 'lower',
    });
    recordResult({
      benchmark: 'sandbox',
      measure: 'cold create + start + call home (p50)',
      unit: 'ms',
      agentd: percentile(cold, 50),
      baseline: percentile(cli, 50),
      baselineName: cliName,
      better: 'lower',
    });
  } finally {
    await daemon.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
