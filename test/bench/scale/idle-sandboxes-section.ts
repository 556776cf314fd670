/**
 * Idle sandboxes: how much one more idle sandbox costs the host and agentd, and whether the paths that see
 * every sandbox (a pool claim under the capacity lock, reconcile, the operators' list) slow down as they pile
 * up. The node grows to each size in turn (caps raised for the run) by runs' sandboxes left idle as after a
 * run (frozen, the default idleProcesses), spread over 20 tenants, with a warm pool of one beside them.
 */
import { LABELS } from '../../../orchestrator/src/docker/labels.js';
import { percentile } from '../stats.js';
import { startTestDaemon, type TestDaemon } from '../../support/test-daemon.js';
import type { BenchResult } from '../results.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';
import { growthHeadline } from './headlines.js';
import { cgroupMemory, engineMemory } from './host-memory.js';

const MiB = 1024 * 1024;
const TENANTS = 20;
/** Sandboxes started at once while growing the node (the engine serialises much of a start anyway). */
const GROW_CONCURRENCY = 4;

const metrics = [
  { key: 'hostMiB', label: 'host memory', unit: 'MiB', growth: true },
  { key: 'hostPerSandboxMiB', label: 'host memory added per sandbox', unit: 'MiB', growth: true },
  { key: 'shimPerSandboxMiB', label: 'shim per sandbox', unit: 'MiB', growth: true },
  { key: 'dockerdMiB', label: 'dockerd + containerd', unit: 'MiB', growth: true },
  { key: 'agentdPerSandboxKiB', label: 'agentd RSS per sandbox', unit: 'KiB', growth: true },
  { key: 'agentdHeapPerSandboxKiB', label: 'agentd heap per sandbox', unit: 'KiB', growth: true },
  { key: 'claimP50', label: 'pool claim p50', unit: 'ms', growth: true },
  { key: 'claimP95', label: 'pool claim p95', unit: 'ms', growth: true },
  { key: 'reconcileP50', label: 'reconcile p50', unit: 'ms', growth: true },
  { key: 'listP50', label: 'GET /api/admin/sandboxes p50', unit: 'ms', growth: true },
] as const;

/** agentd's RSS and JS heap after a full collection (RSS includes what the allocator keeps from earlier work). */
function gcMemory(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass leaves what finalizers freed for the second.
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

async function timed(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Runs' sandboxes until the node holds `target` idle ones (each acquired, then released as after a run). */
async function grow(daemon: TestDaemon, from: number, target: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < target) {
      const i = next++;
      const lease = await daemon.sandboxes.acquire({
        tenantId: `idle-${i % TENANTS}`,
        conversationId: `c${i}`,
      });
      await daemon.sandboxes.release(lease);
    }
  };
  await Promise.all(Array.from({ length: GROW_CONCURRENCY }, worker));
}

/** Pool claims for new conversations, each given back (removed) so the node stays at its size. */
async function poolClaims(daemon: TestDaemon, n: number, size: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    await daemon.pool.settled();
    const t0 = performance.now();
    const lease = await daemon.sandboxes.acquire({
      tenantId: 'claims',
      conversationId: `claim-${size}-${i}`,
    });
    samples.push(performance.now() - t0);
    if (lease.source !== 'pool') throw new Error(`expected a pool claim, got ${lease.source}`);
    await daemon.sandboxes.remove(lease.record.id, 'manual');
  }
  return samples;
}

async function removeAll(daemon: TestDaemon): Promise<void> {
  // The daemon's own clean-up removes one at a time; hundreds go faster a few at once.
  const mine = await daemon.docker.containers.listManaged({ [LABELS.node]: daemon.config.nodeId });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let c = mine[next++]; c; c = mine[next++])
      await daemon.docker.containers.remove(c.id).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export const section: ScaleSection = {
  name: 'idle-sandboxes',
  sizes: { full: [50, 200, 500], smoke: [2, 4] },
  async run(sizes, options) {
    const largest = Math.max(...sizes);
    const claims = options.smoke ? 3 : 10;
    const daemon = await startTestDaemon({
      env: {
        AGENTD_POOL_SIZE: '1',
        AGENTD_MAX_SANDBOXES_PER_NODE: String(largest + 10),
        AGENTD_MAX_SANDBOXES_PER_TENANT: String(largest + 10),
      },
    });
    const points: CurvePoint[] = [];
    try {
      await daemon.pool.settled();
      const memory0 = gcMemory();
      const engine0 = await engineMemory([]);
      let have = 0;
      for (const size of sizes) {
        const t0 = performance.now();
        await grow(daemon, have, size);
        have = size;
        options.log(`${size} idle sandboxes started in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        // Freezes settle after the release returns, and a runner's heap settles a second or two after start.
        await new Promise((r) => setTimeout(r, options.smoke ? 500 : 3_000));
        const records = (await daemon.sandboxes.list()).filter((r) => r.state === 'idle');
        if (records.length !== size)
          throw new Error(`expected ${size} idle sandboxes, found ${records.length}`);
        const memory = gcMemory();
        const agentdRss = memory.rss;
        const ids = records.map((r) => r.containerId);
        const cgroups = (await Promise.all(ids.map(cgroupMemory))).reduce((a, b) => a + b, 0);
        const engine = await engineMemory(ids);
        const host = cgroups + engine.shims + engine.daemons + agentdRss;
        // What the sandboxes added: their cgroups and shims, and the growth of the engine daemons and agentd.
        const added = cgroups + engine.shims + (engine.daemons - engine0.daemons) + (agentdRss - memory0.rss);
        const claim = await poolClaims(daemon, claims, size);
        const reconcile = await timed(3, async () => {
          const report = await daemon.reconciler.reconcile();
          if (report.lost.length + report.removedOrphans.length > 0)
            throw new Error(`reconcile changed something: ${JSON.stringify(report)}`);
        });
        const list = await timed(5, async () => {
          const res = await daemon.api('GET', '/api/admin/sandboxes');
          if (res.status !== 200 || (res.body.items as unknown[]).length < size)
            throw new Error(`GET /api/admin/sandboxes answered ${res.status}`);
        });
        const values = {
          hostMiB: host / MiB,
          hostPerSandboxMiB: added / size / MiB,
          shimPerSandboxMiB: engine.shimCount > 0 ? engine.shims / engine.shimCount / MiB : Number.NaN,
          dockerdMiB: engine.daemons / MiB,
          agentdPerSandboxKiB: (agentdRss - memory0.rss) / size / 1024,
          agentdHeapPerSandboxKiB: (memory.heap - memory0.heap) / size / 1024,
          claimP50: percentile(claim, 50),
          claimP95: percentile(claim, 95),
          reconcileP50: percentile(reconcile, 50),
          listP50: percentile(list, 50),
        };
        options.log(`${size}: ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      // The pool first: removing its warm sandbox would otherwise set off a refill that races the clean-up.
      await daemon.pool.stop();
      await removeAll(daemon).catch(() => undefined);
      await daemon.destroy();
    }
    const curve: Curve = {
      title: 'Idle sandboxes on one node',
      sizeLabel: 'idle sandboxes',
      metrics,
      points,
      notes: [
        'Host memory: the sandboxes’ cgroups + their containerd shims (PSS) + dockerd and containerd (PSS) + agentd ' +
          'RSS. Added per sandbox: the cgroups and shims plus the growth of the engine daemons and agentd since ' +
          'the node held only its warm sandbox, over the size; agentd RSS per sandbox: its part of that. Pool ' +
          `claim: a new conversation's claim of the warm sandbox (a ping only when its runner's poll is stale), ` +
          `${claims} per size. Reconcile: a full pass (engine list, registry, socket dirs).`,
      ],
    };
    return curve;
  },
  headlines(curve) {
    const out: BenchResult[] = [];
    const m = (key: string) => metrics.find((x) => x.key === key)!;
    for (const key of ['claimP50', 'agentdPerSandboxKiB', 'hostPerSandboxMiB', 'reconcileP50', 'listP50']) {
      const headline = growthHeadline('scale: idle sandboxes', curve, m(key));
      if (headline) out.push(headline);
    }
    return out;
  },
};
