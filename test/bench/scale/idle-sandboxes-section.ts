/**
 * Idle sandboxes: how much one more idle sandbox costs the host and agentd, and whether the paths that see
 * every sandbox (a pool claim under the capacity lock, reconcile, the operators' list) slow down as they pile
 * up. The node grows to each size in turn (caps raised for the run) by runs' sandboxes left idle as after a
 * run (frozen, the default idleProcesses), spread over 20 tenants, with a warm pool of one beside them.
 * agentd runs in its own process (idle-agentd.ts), so that the bench's own allocations are not in its RSS.
 */
import { percentile } from '../stats.js';
import type { BenchResult } from '../results.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';
import { growthHeadline } from './headlines.js';
import { cgroupMemory, engineMemory } from './host-memory.js';
import { IdleAgentd } from './idle-agentd.js';

const MiB = 1024 * 1024;
const TENANTS = 20;
/** Sandboxes started at once while growing the node (the engine serialises much of a start anyway). */
const GROW_CONCURRENCY = 4;
/** Sandboxes started, claimed, reconciled and removed before the baseline. */
const WARMUP_SANDBOXES = 5;

const metrics = [
  { key: 'hostMiB', label: 'host memory', unit: 'MiB', growth: true },
  { key: 'hostPerSandboxMiB', label: 'host memory added per sandbox', unit: 'MiB', growth: true },
  { key: 'shimPerSandboxMiB', label: 'shim per sandbox', unit: 'MiB', growth: true },
  { key: 'dockerdMiB', label: 'dockerd + containerd', unit: 'MiB', growth: true },
  { key: 'agentdPerSandboxKiB', label: 'agentd RSS per sandbox', unit: 'KiB', growth: true },
  { key: 'agentdHeapPerSandboxKiB', label: 'agentd heap per sandbox', unit: 'KiB', growth: true },
  {
    key: 'agentdRssStepKiB',
    label: 'agentd RSS per sandbox added since the last size',
    unit: 'KiB',
    growth: true,
  },
  {
    key: 'agentdHeapStepKiB',
    label: 'agentd heap per sandbox added since the last size',
    unit: 'KiB',
    growth: true,
  },
  { key: 'claimP50', label: 'pool claim p50', unit: 'ms', growth: true },
  { key: 'claimP95', label: 'pool claim p95', unit: 'ms', growth: true },
  { key: 'reconcileP50', label: 'reconcile p50', unit: 'ms', growth: true },
  { key: 'listP50', label: 'GET /api/admin/sandboxes p50', unit: 'ms', growth: true },
] as const;

async function timed(n: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export const section: ScaleSection = {
  name: 'idle-sandboxes',
  sizes: { full: [50, 200, 500], smoke: [2, 4] },
  async run(sizes, options) {
    const largest = Math.max(...sizes);
    const claims = options.smoke ? 3 : 10;
    const agentd = await IdleAgentd.start({
      AGENTD_POOL_SIZE: '1',
      AGENTD_MAX_SANDBOXES_PER_NODE: String(largest + 10),
      AGENTD_MAX_SANDBOXES_PER_TENANT: String(largest + 10),
    });
    const points: CurvePoint[] = [];
    const list = (atLeast: number): Promise<number[]> =>
      timed(5, async () => {
        const res = await agentd.api('GET', '/api/admin/sandboxes');
        if (res.status !== 200 || (res.body.items as unknown[]).length < atLeast)
          throw new Error(`GET /api/admin/sandboxes answered ${res.status}`);
      });
    try {
      // Warm-up through the same paths as each size (start, freeze, claim, reconcile, list, remove), so that
      // compiled code, pools and caches are in the baseline, not charged to the sandboxes.
      const warmup = options.smoke ? 1 : WARMUP_SANDBOXES;
      await agentd.call('grow', { prefix: 'warmup', from: 0, to: warmup, tenants: warmup, concurrency: 2 });
      await agentd.call('claims', { n: 2, label: 'warmup' });
      await agentd.call('reconcile', { n: 2 });
      await list(0);
      await agentd.call('removeIdle');
      await new Promise((r) => setTimeout(r, options.smoke ? 500 : 3_000));
      const memory0 = await agentd.memory();
      const engine0 = await engineMemory([]);
      let have = 0;
      let previous = memory0;
      for (const size of sizes) {
        const t0 = performance.now();
        const from = have;
        await agentd.call('grow', {
          prefix: 'idle',
          from: have,
          to: size,
          tenants: TENANTS,
          concurrency: GROW_CONCURRENCY,
        });
        have = size;
        options.log(`${size} idle sandboxes started in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        // Freezes settle after the release returns, and a runner's heap settles a second or two after start.
        await new Promise((r) => setTimeout(r, options.smoke ? 500 : 3_000));
        const ids = await agentd.call<string[]>('idleContainerIds');
        if (ids.length !== size) throw new Error(`expected ${size} idle sandboxes, found ${ids.length}`);
        // The timed paths first: the memory sample then holds what they leave behind (a reconcile parses the
        // engine's list of every container), and they do not run just after the sample's forced collection.
        const claim = await agentd.call<number[]>('claims', { n: claims, label: String(size) });
        const reconcile = await agentd.call<number[]>('reconcile', { n: 3 });
        const listed = await list(size);
        const memory = await agentd.memory();
        const cgroups = (await Promise.all(ids.map(cgroupMemory))).reduce((a, b) => a + b, 0);
        const engine = await engineMemory(ids);
        const host = cgroups + engine.shims + engine.daemons + memory.rss;
        // What the sandboxes added: their cgroups and shims, and the growth of the engine daemons and agentd.
        const added =
          cgroups + engine.shims + (engine.daemons - engine0.daemons) + (memory.rss - memory0.rss);
        const values = {
          hostMiB: host / MiB,
          hostPerSandboxMiB: added / size / MiB,
          shimPerSandboxMiB: engine.shimCount > 0 ? engine.shims / engine.shimCount / MiB : Number.NaN,
          dockerdMiB: engine.daemons / MiB,
          agentdPerSandboxKiB: (memory.rss - memory0.rss) / size / 1024,
          agentdHeapPerSandboxKiB: (memory.heap - memory0.heap) / size / 1024,
          // The fixed costs the warm-up did not reach (code compiled later) fall in the first size alone.
          agentdRssStepKiB: (memory.rss - previous.rss) / (size - from) / 1024,
          agentdHeapStepKiB: (memory.heap - previous.heap) / (size - from) / 1024,
          claimP50: percentile(claim, 50),
          claimP95: percentile(claim, 95),
          reconcileP50: percentile(reconcile, 50),
          listP50: percentile(listed, 50),
        };
        options.log(`${size}: ${JSON.stringify(values)}`);
        previous = memory;
        points.push({ size, values });
      }
    } finally {
      await agentd.destroy();
    }
    const curve: Curve = {
      title: 'Idle sandboxes on one node',
      sizeLabel: 'idle sandboxes',
      metrics,
      points,
      notes: [
        'Host memory: the sandboxes’ cgroups + their containerd shims (PSS) + dockerd and containerd (PSS) + agentd ' +
          'RSS. Added per sandbox: the cgroups and shims plus the growth of the engine daemons and agentd since ' +
          'the node held only its warm sandbox, over the size; agentd RSS per sandbox: its part of that. agentd ' +
          'runs in its own process (the compiled daemon); its RSS (smaps_rollup) and JS heap are medians of 5 ' +
          'samples, each after a full collection, against a baseline taken after a warm-up that started, ' +
          'claimed, reconciled, listed and removed a few sandboxes. "Added since the last size" divides the growth ' +
          'from the previous size by the sandboxes added: a fixed cost met after the warm-up (code compiled ' +
          'later) weighs on the first size only. Pool ' +
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
