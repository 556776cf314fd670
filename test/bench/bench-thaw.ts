import Docker from 'dockerode';
import type { TestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { fmt, percentile, table, type Row } from './stats.js';

/**
 * Reuse of an idle sandbox: unfrozen (idleProcesses: keep) against frozen (freeze: the claim thaws it), with a
 * bare `docker unpause` of the same container through a plain Engine API client measured in the same run.
 * The frozen claim may cost at most one unpause more than the unfrozen one.
 */
export async function benchThaw(daemon: TestDaemon, n: number): Promise<string> {
  const host = daemon.config.docker.host;
  const docker = new Docker({ socketPath: host.startsWith('unix://') ? host.slice('unix://'.length) : host });
  const sandboxes = daemon.sandboxes;
  const kept = { tenantId: 'bench', conversationId: 'reuse-kept', idleProcesses: 'keep' as const };
  const frozen = { tenantId: 'bench', conversationId: 'reuse-frozen', idleProcesses: 'freeze' as const };
  await sandboxes.release(await sandboxes.acquire(kept));
  await sandboxes.release(await sandboxes.acquire(frozen));
  // The freeze settles after the release returns: time the next claim only once it has.
  async function waitSettled(request: { tenantId: string; conversationId: string; idleProcesses: string }) {
    if (request.idleProcesses !== 'freeze') return;
    for (let i = 0; i < 200; i++) {
      const record = await daemon.registry.findByConversation(request.tenantId, request.conversationId);
      if (record?.frozen) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the sandbox did not freeze');
  }
  await waitSettled(frozen);
  const unfrozenMs: number[] = [];
  const frozenMs: number[] = [];
  const unpauseMs: number[] = [];
  const claim = async (request: typeof kept | typeof frozen, into: number[]): Promise<void> => {
    const t0 = performance.now();
    const lease = await sandboxes.acquire(request);
    into.push(performance.now() - t0);
    if (lease.source !== 'reuse') throw new Error(`expected a reuse, got ${lease.source}`);
    await sandboxes.release(lease);
    await waitSettled(request);
  };
  const bareUnpause = async (): Promise<void> => {
    const record = await daemon.registry.findByConversation(frozen.tenantId, frozen.conversationId);
    if (!record?.frozen) throw new Error('the frozen sandbox is not frozen');
    const container = docker.getContainer(record.containerId);
    const t0 = performance.now();
    await container.unpause();
    unpauseMs.push(performance.now() - t0);
    await container.pause();
  };
  for (let i = 0; i < n; i++) {
    // Alternate the order so drift on a shared machine hits every side alike.
    const order = i % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const step of order) {
      if (step === 0) await claim(kept, unfrozenMs);
      if (step === 1) await claim(frozen, frozenMs);
      if (step === 2) await bareUnpause();
    }
  }
  const rows: Row[] = [
    {
      name: 'reuse an unfrozen sandbox',
      samples: unfrozenMs,
      note: 'registry + health ping (idleProcesses: keep)',
    },
    { name: 'reuse a frozen sandbox', samples: frozenMs, note: 'thaw beside the registry update, then ping' },
    {
      name: 'baseline: bare docker unpause',
      samples: unpauseMs,
      note: 'Engine API unpause of the same container',
    },
  ];
  const extra = percentile(frozenMs, 50) - percentile(unfrozenMs, 50);
  const unpause = percentile(unpauseMs, 50);
  recordResult({
    benchmark: 'sandbox',
    measure: 'thaw cost: frozen minus unfrozen reuse (p50)',
    unit: 'ms',
    agentd: extra,
    baseline: unpause,
    baselineName: 'one bare docker unpause',
    better: 'lower',
  });
  return [
    table(rows, rows[0]!),
    '',
    `thaw cost (p50 frozen - p50 unfrozen): ${fmt(extra)} ms; one bare unpause p50: ${fmt(unpause)} ms; ` +
      `ratio ${(extra / unpause).toFixed(2)} (acceptance: at most 1 unpause)`,
  ].join('\n');
}
