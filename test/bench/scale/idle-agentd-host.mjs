// The agentd process of the idle-sandboxes bench: the compiled daemon (as `agentd serve` runs it) plus a small
// IPC handler, so the bench can measure this process's memory without counting its own allocations. Plain
// JavaScript on purpose: no TypeScript loader in the measured process.
// Started with --expose-gc by idle-agentd.ts; it owns this process, its sandboxes and its database.
import { writeHeapSnapshot } from 'node:v8';
import { createDaemon } from '../../../orchestrator/dist/main.js';
import { loadConfig } from '../../../orchestrator/dist/config/load-config.js';
import { createLogger } from '../../../orchestrator/dist/common/logger.js';
import { LABELS } from '../../../orchestrator/dist/docker/labels.js';

/** @type {import('../../../orchestrator/src/main.js').Daemon | undefined} */
let daemon;

/** @param {number} n @param {(i: number) => Promise<void>} fn */
async function timed(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** @returns {import('../../../orchestrator/src/main.js').Daemon} */
function started() {
  if (!daemon) throw new Error('agentd is not started');
  return daemon;
}

const commands = {
  /** @param {{ env: Record<string, string> }} a */
  async start(a) {
    const config = loadConfig({ ...process.env, ...a.env });
    const logger = createLogger({ level: config.log.level, pretty: false, base: { node: config.nodeId } });
    daemon = await createDaemon(config, logger);
    await daemon.start();
    return { url: daemon.url };
  },
  /** Runs' sandboxes until the node holds `to` idle ones (each acquired, then released as after a run). */
  async grow(
    /** @type {{ prefix: string, from: number, to: number, tenants: number, concurrency: number }} */ a,
  ) {
    const d = started();
    let next = a.from;
    const worker = async () => {
      while (next < a.to) {
        const i = next++;
        const lease = await d.sandboxes.acquire({
          tenantId: `${a.prefix}-${i % a.tenants}`,
          conversationId: `c${i}`,
        });
        await d.sandboxes.release(lease);
      }
    };
    await Promise.all(Array.from({ length: a.concurrency }, worker));
    return null;
  },
  async idleContainerIds() {
    return (await started().sandboxes.list()).filter((r) => r.state === 'idle').map((r) => r.containerId);
  },
  /** Removes every idle sandbox through the daemon (the warm-up's sandboxes). */
  async removeIdle() {
    const d = started();
    for (const r of await d.sandboxes.list())
      if (r.state === 'idle') await d.sandboxes.remove(r.id, 'manual');
    return null;
  },
  /** Pool claims for new conversations, each given back (removed) so the node stays at its size. */
  async claims(/** @type {{ n: number, label: string }} */ a) {
    const d = started();
    const samples = [];
    for (let i = 0; i < a.n; i++) {
      await d.pool.settled();
      const t0 = performance.now();
      const lease = await d.sandboxes.acquire({
        tenantId: 'claims',
        conversationId: `claim-${a.label}-${i}`,
      });
      samples.push(performance.now() - t0);
      if (lease.source !== 'pool') throw new Error(`expected a pool claim, got ${lease.source}`);
      await d.sandboxes.remove(lease.record.id, 'manual');
    }
    await d.pool.settled();
    return samples;
  },
  async reconcile(/** @type {{ n: number }} */ a) {
    const d = started();
    return timed(a.n, async () => {
      const report = await d.reconciler.reconcile();
      if (report.lost.length + report.removedOrphans.length > 0)
        throw new Error(`reconcile changed something: ${JSON.stringify(report)}`);
    });
  },
  /**
   * The collection V8 runs on a low-memory notification: all available garbage, compacted, with the young
   * generation shrunk and free pages given back. A plain full collection leaves tens of MiB committed that the
   * heap releases only later on its own, which swamped a few KiB per sandbox.
   */
  async gc() {
    const gc = /** @type {{ gc?: (o: object) => void }} */ (globalThis).gc;
    if (!gc) throw new Error('the agentd host needs --expose-gc');
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    return process.memoryUsage().heapUsed;
  },
  async heapSnapshot(/** @type {{ file: string }} */ a) {
    return writeHeapSnapshot(a.file);
  },
  /** The pool first, so that no refill races the removal; then every container of this node. */
  async removeAll() {
    const d = started();
    await d.pool.stop();
    const mine = await d.docker.containers.listManaged({ [LABELS.node]: d.config.nodeId });
    let next = 0;
    const worker = async () => {
      for (let c = mine[next++]; c; c = mine[next++])
        await d.docker.containers.remove(c.id).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return null;
  },
  async close() {
    await daemon?.close();
    daemon = undefined;
    return null;
  },
};

process.on('message', (/** @type {{ id: number, cmd: keyof typeof commands, args: any }} */ m) => {
  void (async () => {
    try {
      const value = await commands[m.cmd](m.args);
      process.send?.({ id: m.id, value });
    } catch (err) {
      process.send?.({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, value: 'ready' });
