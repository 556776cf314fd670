/**
 * Density: idle sandboxes started (up to a count, or until their memory reaches a budget, whichever comes
 * first), their steady-state memory (cgroup usage, what the host really pays) and how many would fit in the
 * budget at that rate; agentd's own RSS growth per sandbox; and, as the baseline, the same number of
 * containers of the same image and entrypoint started with plain `docker run -d` in the same run and
 * measured the same way. Each baseline runner idles as agentd's do: it has a socket whose server holds its
 * long-poll and answers 204 after agentd's poll timeout (without one it would spin in its reconnect
 * back-off, a different steady state).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { startTestDaemon } from '../support/test-daemon.js';
import { BareCallHome } from './bare-call-home.js';
import { recordResult } from './results.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const BUDGET_MB = Number(process.env.BENCH_DENSITY_BUDGET_MB ?? 1536);
const MAX_SANDBOXES = Number(process.env.BENCH_DENSITY_MAX ?? 80);
const SETTLE_MS = 3_000;

async function cgroupMemory(containerId: string): Promise<number> {
  // cgroup v1 (these machines); v2 hosts expose memory.current under the container's cgroup instead.
  const v1 = await readFile(
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.usage_in_bytes`,
    'utf8',
  ).catch(() => undefined);
  if (v1 !== undefined) return Number(v1);
  return Number(
    await readFile(`/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.current`, 'utf8'),
  );
}

function gcRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const daemon = await startTestDaemon({
    env: {
      AGENTD_POOL_SIZE: '0',
      AGENTD_MAX_SANDBOXES_PER_NODE: String(MAX_SANDBOXES + 10),
      AGENTD_MAX_SANDBOXES_PER_TENANT: String(MAX_SANDBOXES + 10),
    },
  });
  const baselineIds: string[] = [];
  const callHomes: BareCallHome[] = [];
  try {
    const rssBefore = gcRss();
    const containers: string[] = [];
    let used = 0;
    while (used < BUDGET_MB * MiB && containers.length < MAX_SANDBOXES) {
      const lease = await daemon.sandboxes.acquire({
        tenantId: 'density',
        conversationId: `c${containers.length}`,
      });
      await daemon.sandboxes.release(lease);
      containers.push(lease.record.containerId);
      if (containers.length % 10 === 0)
        process.stderr.write(`bench:density: ${containers.length} sandboxes\n`);
      await new Promise((r) => setTimeout(r, 50));
      used = (await Promise.all(containers.map(cgroupMemory))).reduce((a, b) => a + b, 0);
    }
    const rssAfter = gcRss();
    // Measure both sides at the same steady state: every runner finished starting (node's heap settles
    // within a second or two).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    used = (await Promise.all(containers.map(cgroupMemory))).reduce((a, b) => a + b, 0);
    const perSandbox = used / containers.length;
    for (let i = 0; i < containers.length; i++) {
      const callHome = await BareCallHome.open(daemon.config.callHome.pollTimeoutMs);
      callHomes.push(callHome);
      const { stdout } = await run('docker', [
        'run',
        '-d',
        '--network',
        'none',
        '--memory',
        '2g',
        '--mount',
        `type=bind,source=${callHome.dir},target=/run/agentd,readonly`,
        daemon.config.sandbox.image,
      ]);
      baselineIds.push(stdout.trim());
      // As agentd's acquire does: the next container starts once this runner has called home.
      await callHome.whenPolled();
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const baselineUsed = (await Promise.all(baselineIds.map(cgroupMemory))).reduce((a, b) => a + b, 0);
    const perBaseline = baselineUsed / baselineIds.length;
    const rssPerSandbox = (rssAfter - rssBefore) / containers.length;
    const fit = (perContainer: number): number => Math.floor((BUDGET_MB * MiB) / perContainer);
    const lines = [
      `| measure | agentd | baseline (\`docker run -d\`, same image and runner, idle on a long-poll) | ratio |`,
      '|---|---:|---:|---:|',
      `| idle sandboxes that fit in ${BUDGET_MB} MiB at that rate | ${fit(perSandbox)} | ${fit(perBaseline)} | ${(fit(perSandbox) / fit(perBaseline)).toFixed(2)}x |`,
      `| memory per idle container (cgroup usage, mean of ${containers.length} each side) | ${(perSandbox / MiB).toFixed(1)} MiB | ${(perBaseline / MiB).toFixed(1)} MiB | ${(perSandbox / perBaseline).toFixed(2)}x |`,
      `| agentd RSS per sandbox (socket server, registry, timers) | ${(rssPerSandbox / 1024).toFixed(0)} KiB | - | - |`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    recordResult({
      benchmark: 'density',
      measure: 'memory per idle sandbox',
      unit: 'MiB',
      agentd: perSandbox / MiB,
      baseline: perBaseline / MiB,
      baselineName: 'docker run -d, same image and runner, idle on a long-poll',
      better: 'lower',
    });
    recordResult({
      benchmark: 'density',
      measure: 'agentd RSS per sandbox',
      unit: 'KiB',
      agentd: rssPerSandbox / 1024,
      baseline: null,
      baselineName: null,
      better: 'lower',
    });
  } finally {
    for (const id of baselineIds) await run('docker', ['rm', '-f', id]).catch(() => undefined);
    for (const callHome of callHomes) await callHome.close();
    await daemon.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
