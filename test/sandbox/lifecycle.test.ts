import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSandboxRegistry } from '../../orchestrator/src/coordination/local-sandbox-registry.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import type { ReapReason } from '../../orchestrator/src/sandbox/reap-reason.js';
import { startTestDaemon, TestClock, type TestDaemon } from '../support/test-daemon.js';

const run = promisify(execFile);
const daemons: TestDaemon[] = [];
async function daemon(options: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
  const d = await startTestDaemon(options);
  daemons.push(d);
  return d;
}
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.destroy();
});

async function metric(d: TestDaemon, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await d.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((a, v) => a + v.value, 0);
}

describe('sandbox lifecycle on a real engine', () => {
  it('reuses the conversation sandbox and keeps one container per conversation', async () => {
    const d = await daemon();
    const first = await d.sandboxes.acquire({ tenantId: 'ta', conversationId: 'c1' });
    expect(first.source).toBe('cold');
    await expect(d.sandboxes.acquire({ tenantId: 'ta', conversationId: 'c1' })).rejects.toMatchObject({
      code: 'CONVERSATION_BUSY',
    });
    await d.sandboxes.release(first);
    const second = await d.sandboxes.acquire({ tenantId: 'ta', conversationId: 'c1' });
    expect(second.source).toBe('reuse');
    expect(second.record.id).toBe(first.record.id);
    const other = await d.sandboxes.acquire({ tenantId: 'ta', conversationId: 'c2' });
    expect(other.record.id).not.toBe(first.record.id);
    const containers = await d.docker.containers.listManaged({ [LABELS.node]: d.config.nodeId });
    expect(containers).toHaveLength(2);
  });

  it('labels everything it creates', async () => {
    const d = await daemon({ env: { AGENTD_POOL_SIZE: '1' } });
    await d.pool.settled();
    const lease = await d.sandboxes.acquire({
      tenantId: 'tl',
      conversationId: 'cl',
      limits: { pidsLimit: 100 },
    });
    const containers = await d.docker.containers.listManaged({ [LABELS.node]: d.config.nodeId });
    expect(containers).toHaveLength(2);
    for (const c of containers) {
      expect(c.labels[LABELS.managed]).toBe('true');
      expect(c.labels[LABELS.node]).toBe(d.config.nodeId);
      expect(c.labels[LABELS.profile]).toBe('standard');
      expect(Date.parse(c.labels[LABELS.created] ?? '')).toBeGreaterThan(0);
      expect(c.labels[LABELS.sandboxId]).toMatch(/^[a-z2-7]{12}$/);
    }
    const cold = containers.find((c) => c.id === lease.record.containerId);
    expect(cold?.labels[LABELS.tenant]).toBe('tl');
    expect(cold?.labels[LABELS.conversation]).toBe('cl');
    const warm = containers.find((c) => c.id !== lease.record.containerId);
    expect(warm?.labels[LABELS.pool]).toBe('standard');
    expect(warm?.labels[LABELS.tenant]).toBeUndefined();
  });

  it('claims from the warm pool, refills it in the background and counts hits and misses', async () => {
    const d = await daemon({ env: { AGENTD_POOL_SIZE: '1' } });
    await d.pool.settled();
    expect(d.pool.status()[0]).toMatchObject({ profile: 'standard', target: 1, ready: 1 });
    const warmId = (await d.sandboxes.list()).find((r) => r.state === 'warm')?.id;
    const lease = await d.sandboxes.acquire({ tenantId: 'tp', conversationId: 'c1' });
    expect(lease.source).toBe('pool');
    expect(lease.record.id).toBe(warmId);
    expect(lease.record).toMatchObject({ state: 'busy', tenantId: 'tp', conversationId: 'c1' });
    // The pool was empty right after the claim: a second conversation now may miss.
    await d.pool.settled();
    expect(d.pool.status()[0]?.ready).toBe(1);
    const refilledId = (await d.sandboxes.list()).find((r) => r.state === 'warm')?.id;
    expect(refilledId).toBeDefined();
    expect(refilledId).not.toBe(warmId);
    expect(await metric(d, 'agentd_sandbox_pool_claims_total', { result: 'hit' })).toBe(1);
    // Limits that differ from the profile bypass the pool: a cold create, and the warm one stays.
    const custom = await d.sandboxes.acquire({
      tenantId: 'tp',
      conversationId: 'c2',
      limits: { pidsLimit: 100 },
    });
    expect(custom.source).toBe('cold');
    expect((await d.sandboxes.get(refilledId ?? ''))?.state).toBe('warm');
    // Drain the pool, then claim again before it refills: a miss, served cold.
    await d.pool.stop();
    const drained = await d.sandboxes.acquire({ tenantId: 'tp', conversationId: 'c3' });
    expect(drained.source).toBe('pool');
    const missed = await d.sandboxes.acquire({ tenantId: 'tp', conversationId: 'c4' });
    expect(missed.source).toBe('cold');
    expect(await metric(d, 'agentd_sandbox_pool_claims_total', { result: 'miss' })).toBe(1);
  });

  it('reaps idle sandboxes after the idle TTL, runs the pre-remove hook, and never reaps busy ones', async () => {
    const clock = new TestClock();
    const d = await daemon({ clock, env: { AGENTD_IDLE_TTL: '60s' } });
    const hooked: [string, ReapReason][] = [];
    d.remover.addPreRemoveHook((record, reason) => {
      hooked.push([record.id, reason]);
      return Promise.resolve();
    });
    const idle = await d.sandboxes.acquire({ tenantId: 'tr', conversationId: 'idle' });
    const busy = await d.sandboxes.acquire({ tenantId: 'tr', conversationId: 'busy' });
    await d.sandboxes.release(idle);
    clock.advance(59_000);
    expect(await d.reaper.reapOnce()).toEqual([]);
    clock.advance(2_000);
    const reaped = await d.reaper.reapOnce();
    expect(reaped.map((r) => [r.sandboxId, r.reason])).toEqual([[idle.record.id, 'idle_ttl']]);
    expect(hooked).toEqual([[idle.record.id, 'idle_ttl']]);
    expect(await d.docker.containers.inspect(idle.record.containerId)).toBeUndefined();
    expect(await d.docker.containers.inspect(busy.record.containerId)).toBeDefined();
    expect(d.remover.history()[0]).toMatchObject({
      sandboxId: idle.record.id,
      reason: 'idle_ttl',
      deferred: false,
    });
    expect(await metric(d, 'agentd_sandbox_reaps_total', { reason: 'idle_ttl' })).toBe(1);
  });

  it('keeps a sandbox whose pre-remove hook fails for a reason that can wait', async () => {
    const clock = new TestClock();
    const d = await daemon({ clock, env: { AGENTD_IDLE_TTL: '10s' } });
    d.remover.addPreRemoveHook(() => Promise.reject(new Error('S3 is down')));
    const lease = await d.sandboxes.acquire({ tenantId: 'th', conversationId: 'c1' });
    await d.sandboxes.release(lease);
    clock.advance(11_000);
    const [reap] = await d.reaper.reapOnce();
    expect(reap).toMatchObject({ reason: 'idle_ttl', deferred: true, hookError: 'S3 is down' });
    expect((await d.sandboxes.get(lease.record.id))?.state).toBe('idle');
    expect(await d.docker.containers.inspect(lease.record.containerId)).toBeDefined();
  });

  it('reaps sandboxes past their max lifetime once they are not busy', async () => {
    const clock = new TestClock();
    const d = await daemon({ clock, env: { AGENTD_MAX_LIFETIME: '5m', AGENTD_IDLE_TTL: '1h' } });
    const a = await d.sandboxes.acquire({ tenantId: 'tm', conversationId: 'a' });
    const b = await d.sandboxes.acquire({ tenantId: 'tm', conversationId: 'b' });
    await d.sandboxes.release(a);
    clock.advance(6 * 60_000);
    expect((await d.reaper.reapOnce()).map((r) => [r.sandboxId, r.reason])).toEqual([
      [a.record.id, 'max_lifetime'],
    ]);
    await d.sandboxes.release(b);
    expect((await d.reaper.reapOnce()).map((r) => [r.sandboxId, r.reason])).toEqual([
      [b.record.id, 'max_lifetime'],
    ]);
  });

  it('evicts the least recently used idle sandbox at the node cap and refuses with 503 when none is idle', async () => {
    const clock = new TestClock();
    const d = await daemon({ clock, env: { AGENTD_MAX_SANDBOXES_PER_NODE: '2' } });
    const a = await d.sandboxes.acquire({ tenantId: 'n1', conversationId: 'a' });
    const b = await d.sandboxes.acquire({ tenantId: 'n2', conversationId: 'b' });
    await d.sandboxes.release(a);
    clock.advance(1_000);
    await d.sandboxes.release(b);
    const c = await d.sandboxes.acquire({ tenantId: 'n3', conversationId: 'c' });
    expect(await d.docker.containers.inspect(a.record.containerId)).toBeUndefined();
    expect(d.remover.history()[0]).toMatchObject({ sandboxId: a.record.id, reason: 'node_cap' });
    expect(await d.docker.containers.inspect(b.record.containerId)).toBeDefined();
    await d.sandboxes.acquire({ tenantId: 'n2', conversationId: 'b' });
    await expect(d.sandboxes.acquire({ tenantId: 'n4', conversationId: 'd' })).rejects.toMatchObject({
      code: 'CAPACITY_EXHAUSTED',
      scope: 'node',
      retryAfterSeconds: expect.any(Number) as number,
    });
    expect(c.record.state).toBe('busy');
  });

  it('enforces the tenant cap: evicts the tenant’s idle sandbox, refuses with 429 when all are busy', async () => {
    const d = await daemon({ env: { AGENTD_MAX_SANDBOXES_PER_TENANT: '1' } });
    const a = await d.sandboxes.acquire({ tenantId: 'cap', conversationId: 'a' });
    await expect(d.sandboxes.acquire({ tenantId: 'cap', conversationId: 'b' })).rejects.toMatchObject({
      code: 'CAPACITY_EXHAUSTED',
      scope: 'tenant',
    });
    // Another tenant is not affected.
    await d.sandboxes.acquire({ tenantId: 'other', conversationId: 'x' });
    await d.sandboxes.release(a);
    const b = await d.sandboxes.acquire({ tenantId: 'cap', conversationId: 'b' });
    expect(b.source).toBe('cold');
    expect(d.remover.history()[0]).toMatchObject({ sandboxId: a.record.id, reason: 'tenant_cap' });
  });

  it('applies a lowered policy live: pool surplus and caps', async () => {
    const d = await daemon({ env: { AGENTD_POOL_SIZE: '2' } });
    await d.pool.settled();
    expect(d.pool.status()[0]?.ready).toBe(2);
    d.policy.current = { ...d.policy.current, poolSize: { standard: 1 } };
    const reaped = await d.reaper.reapOnce();
    expect(reaped.map((r) => r.reason)).toEqual(['pool_surplus']);
    expect(d.pool.status()[0]?.ready).toBe(1);
  });

  it('reconciles after a crash: adopts what the registry knows, removes orphans, never touches unlabelled containers', async () => {
    const registry = new LocalSandboxRegistry();
    const first = await daemon({ registry });
    const kept = await first.sandboxes.acquire({ tenantId: 'rc', conversationId: 'kept' });
    await first.sandboxes.release(kept);
    const orphan = await first.sandboxes.acquire({ tenantId: 'rc', conversationId: 'orphan' });
    // A container that is not agentd's, and one that belongs to another node: both must survive.
    const { stdout } = await run('docker', [
      'create',
      '--label',
      'purpose=agentd-test',
      '--network',
      'none',
      first.config.sandbox.image,
    ]);
    const foreign = stdout.trim();
    const otherNode = await daemon();
    const otherLease = await otherNode.sandboxes.acquire({ tenantId: 'rc', conversationId: 'elsewhere' });
    try {
      // Simulated crash: the process state is gone (sockets closed), containers stay. The registry lost the orphan.
      await first.close();
      await registry.remove(orphan.record.id);
      const second = await daemon({
        registry,
        nodeId: first.config.nodeId,
        stateDir: first.config.stateDir,
        start: false,
      });
      const report = await second.reconciler.reconcile();
      expect(report.adopted).toEqual([kept.record.id]);
      expect(report.removedOrphans).toEqual([orphan.record.containerId.slice(0, 12)]);
      expect(await second.docker.containers.inspect(orphan.record.containerId)).toBeUndefined();
      expect(second.remover.history()[0]).toMatchObject({ reason: 'orphan', conversationId: 'orphan' });
      // The adopted sandbox's runner called home on the new socket and is usable again.
      const again = await second.sandboxes.acquire({ tenantId: 'rc', conversationId: 'kept' });
      expect(again).toMatchObject({ source: 'reuse', record: { id: kept.record.id } });
      expect(await second.docker.containers.inspect(foreign)).toBeDefined();
      expect(await second.docker.containers.inspect(otherLease.record.containerId)).toBeDefined();
    } finally {
      await run('docker', ['rm', '-f', foreign]);
    }
  });

  it('removes every leftover container when the registry is empty after a restart', async () => {
    const first = await daemon();
    await first.sandboxes.acquire({ tenantId: 'rx', conversationId: 'a' });
    await first.sandboxes.acquire({ tenantId: 'rx', conversationId: 'b' });
    await first.close();
    const second = await daemon({ nodeId: first.config.nodeId, stateDir: first.config.stateDir });
    expect(await second.docker.containers.listManaged({ [LABELS.node]: first.config.nodeId })).toEqual([]);
    expect(second.remover.history().map((r) => r.reason)).toEqual(['orphan', 'orphan']);
  });

  it('notices a container that dies and removes it as lost', async () => {
    const d = await daemon();
    const lease = await d.sandboxes.acquire({ tenantId: 'rl', conversationId: 'a' });
    const lost = new Promise((resolve) => d.sandboxes.once('lost', resolve));
    await d.docker.containers.kill(lease.record.containerId);
    await lost;
    await expect.poll(async () => d.sandboxes.get(lease.record.id), { timeout: 10_000 }).toBeUndefined();
    expect(d.remover.history()[0]).toMatchObject({ sandboxId: lease.record.id, reason: 'lost' });
  });
});
