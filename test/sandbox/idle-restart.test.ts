import { afterAll, describe, expect, it } from 'vitest';
import { LocalSandboxRegistry } from '../../orchestrator/src/coordination/local-sandbox-registry.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { containerState, until } from './idle-support.js';

describe('frozen sandboxes across a restart, and the kill escalation (real engine)', () => {
  const daemons: TestDaemon[] = [];
  afterAll(async () => {
    for (const d of daemons.reverse()) await d.destroy();
  });
  async function daemon(options: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
    const d = await startTestDaemon(options);
    daemons.push(d);
    return d;
  }

  it('adoption after a restart thaws a frozen sandbox for its runner to call home, then freezes it again', async () => {
    const registry = new LocalSandboxRegistry();
    const first = await daemon({ registry });
    const lease = await first.sandboxes.acquire({ tenantId: 'rs', conversationId: 'frozen' });
    await first.sandboxes.release(lease);
    await until(async () => (await registry.get(lease.record.id))?.frozen, 10_000);
    const containerId = lease.record.containerId;
    expect(await containerState(first, containerId)).toBe('paused');
    await first.close();

    const second = await daemon({
      registry,
      nodeId: first.config.nodeId,
      stateDir: first.config.stateDir,
      start: false,
    });
    const report = await second.reconciler.reconcile({ startup: true });
    expect(report.adopted).toEqual([lease.record.id]);
    expect(report.lost).toEqual([]);
    expect(await containerState(second, containerId)).toBe('paused');
    expect((await registry.get(lease.record.id))?.frozen).toBe(true);
    // The adopted runner answers once thawed by the next claim.
    const again = await second.sandboxes.acquire({ tenantId: 'rs', conversationId: 'frozen' });
    expect(again).toMatchObject({ source: 'reuse', record: { id: lease.record.id, frozen: false } });
    expect(await containerState(second, containerId)).toBe('running');
    await second.sandboxes.release(again);
  });

  it('kill: a sandbox that still burns CPU after its strays were killed is recycled (threshold forced live)', async () => {
    const d = await daemon();
    const put = await d.api('PUT', '/api/admin/policies', {
      version: 1,
      idleProcesses: 'kill',
      idleCpuLimit: 0,
    });
    expect(put.status).toBe(200);
    expect(d.policy.current).toMatchObject({ idleProcesses: 'kill', idleCpuLimit: 0 });
    const lease = await d.sandboxes.acquire({ tenantId: 'kx', conversationId: 'hot' });
    await d.sandboxes.release(lease);
    const reap = await until(
      async () => d.remover.history().find((r) => r.sandboxId === lease.record.id),
      10_000,
    );
    expect(reap).toMatchObject({ reason: 'idle_cpu', deferred: false });
    expect(await d.docker.containers.inspect(lease.record.containerId)).toBeUndefined();
  });
});
