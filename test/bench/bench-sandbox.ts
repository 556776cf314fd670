/**
 * npm run bench:sandbox — sandbox allocation latency on the real engine, each path against a baseline that
 * does the same work without agentd, measured in the same run. Not a test: it prints a table.
 *
 * Cold: agentd's acquire (registry, call-home socket, hardened create + start, runner calls home) against a
 * container created through the same Engine API client with the same create options (read back from one of
 * agentd's cold sandboxes and checked equal), timed until its runner's first long-poll reaches a bare socket
 * server. Warm: agentd's pool claim (registry claim of a ready sandbox whose runner holds a fresh long-poll,
 * else a health ping first) against one ping job handed to an idle runner's held long-poll and its result
 * read back. Reuse: a frozen idle sandbox against an
 * unfrozen one, with a bare `docker unpause` measured alongside (bench-thaw.ts).
 */
import { startTestDaemon } from '../support/test-daemon.js';
import { BareCallHome } from './bare-call-home.js';
import { benchThaw } from './bench-thaw.js';
import {
  assertSameCreateOptions,
  rawInspect,
  removeBaselines,
  startBaseline,
  type ContainerInspect,
} from './engine-baseline.js';
import { recordResult } from './results.js';
import { percentile, table, type Row } from './stats.js';

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
    const baseCold: number[] = [];
    const basePing: number[] = [];
    let template: ContainerInspect | undefined;
    const inspect = rawInspect(daemon.config.docker.host);
    const agentdCold = async (i: number): Promise<void> => {
      const t0 = performance.now();
      const lease = await daemon.sandboxes.acquire({ tenantId: 'bench', conversationId: `cold-${i}` });
      cold.push(performance.now() - t0);
      if (lease.source !== 'cold') throw new Error(`expected a cold create, got ${lease.source}`);
      template ??= await inspect(lease.record.containerId);
      await daemon.sandboxes.remove(lease.record.id, 'manual');
    };
    const baselineCold = async (from: ContainerInspect, check: boolean): Promise<void> => {
      const callHome = await BareCallHome.open(daemon.config.callHome.pollTimeoutMs);
      try {
        let t0 = performance.now();
        const id = await startBaseline(daemon.docker, from, callHome);
        baseCold.push(performance.now() - t0);
        if (check) {
          assertSameCreateOptions(from, await inspect(id));
        }
        t0 = performance.now();
        await callHome.ping();
        basePing.push(performance.now() - t0);
      } finally {
        await removeBaselines(daemon.docker);
        await callHome.close();
      }
    };
    // Alternate which side goes first, so drift on a shared machine and the engine's clean-up of the
    // container removed just before hit both sides alike.
    for (let i = 0; i < N; i++) {
      if (i % 2 === 0) await agentdCold(i);
      if (!template) throw new Error('no agentd sandbox to copy the create options from');
      await baselineCold(template, i === 0);
      if (i % 2 === 1) await agentdCold(i);
    }
    const warmRows: Row[] = [
      {
        name: 'warm-pool claim',
        samples: warm,
        note: 'claim of a ready sandbox; its runner holds a fresh poll (else a health ping)',
      },
      {
        name: 'baseline: ping an idle runner',
        samples: basePing,
        note: 'one ping job on a held long-poll, result back (no registry, no lease)',
      },
    ];
    const coldRows: Row[] = [
      { name: 'cold create+start', samples: cold, note: 'hardened create + start + runner called home' },
      {
        name: 'baseline: same create options, same client',
        samples: baseCold,
        note: 'Engine API create + start until the runner first polls a bare socket',
      },
    ];
    // Printed before the reuse part runs, so a failure there still leaves these figures.
    process.stdout.write(`\n${table(warmRows, warmRows[1]!)}\n\n${table(coldRows, coldRows[1]!)}\n`);
    recordResult({
      benchmark: 'sandbox',
      measure: 'warm-pool claim (p50)',
      unit: 'ms',
      agentd: percentile(warm, 50),
      baseline: percentile(basePing, 50),
      baselineName: 'one ping to an idle runner over a bare socket',
      better: 'lower',
    });
    recordResult({
      benchmark: 'sandbox',
      measure: 'cold create + start + call home (p50)',
      unit: 'ms',
      agentd: percentile(cold, 50),
      baseline: percentile(baseCold, 50),
      baselineName: 'same create options and Engine API client, until first long-poll',
      better: 'lower',
    });
    process.stdout.write(`\n${await benchThaw(daemon, N)}\n`);
  } finally {
    await removeBaselines(daemon.docker).catch(() => undefined);
    await daemon.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
