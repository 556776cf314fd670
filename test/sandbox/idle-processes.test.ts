import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdleProcesses } from '../../orchestrator/src/config/lifecycle-policy.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, TestClock, type TestDaemon } from '../support/test-daemon.js';
import { containerState, FETCH, idleCores, LEFTOVERS, SERVE, SMALL_LIMITS, until } from './idle-support.js';

describe('idle sandboxes consume nothing (idleProcesses, real engine)', () => {
  let d: TestDaemon;
  const clock = new TestClock();
  const tenants = new Map<IdleProcesses | 'default', string>();

  beforeAll(async () => {
    d = await startTestDaemon({ clock });
    for (const mode of ['default', 'freeze', 'kill', 'keep'] as const) {
      const policy =
        mode === 'default' ? { limits: SMALL_LIMITS } : { limits: SMALL_LIMITS, idleProcesses: mode };
      const tenant = await d.api('POST', '/api/tenants', { name: `idle-${mode}`, policy });
      expect(tenant.status).toBe(201);
      tenants.set(mode, tenant.body.id as string);
    }
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function runIn(mode: IdleProcesses | 'default', conversationId: string | undefined, command: string) {
    const tenantId = tenants.get(mode) ?? '';
    const id =
      conversationId ??
      ((await d.api('POST', `/api/tenants/${tenantId}/conversations`, { title: mode })).body.id as string);
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: `@tool bash ${JSON.stringify({ command })}\n@say done` },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    const output = res.events.find((e) => e.data.type === 'tool_result')?.data.output;
    const record = await d.registry.findByConversation(tenantId, id);
    if (!record) throw new Error('no sandbox for the conversation');
    // The run is over for the client; the release (and the freeze or kill) follows it.
    await until(async () => (await d.registry.get(record.id))?.state === 'idle', 10_000);
    return { id, record, output: String(output), tenantId };
  }

  it.each(['default', 'freeze', 'kill', 'keep'] as const)(
    '%s: a fork bomb, a setsid busy loop and sleep 1000 left by a run',
    async (mode) => {
      const { record, output } = await runIn(mode, undefined, LEFTOVERS);
      expect(output).toContain('started');
      const containerId = record.containerId;
      try {
        if (mode === 'keep') {
          // The weaker setting: the leftovers keep burning the CPU limit (0.25) while nobody runs anything.
          const cores = await until(async () => {
            const c = await idleCores(containerId);
            return c > 0.15 ? c : undefined;
          }, 15_000);
          console.log(`idle CPU with keep: ${cores.toFixed(3)} cores`);
          return;
        }
        const cores = await until(async () => {
          const c = await idleCores(containerId);
          return c < (mode === 'kill' ? 0.02 : 0.005) ? c : undefined;
        }, 10_000);
        console.log(`idle CPU with ${mode}: ${cores.toFixed(4)} cores`);
        const after = await d.registry.get(record.id);
        if (mode === 'kill') {
          expect(after?.frozen).toBe(false);
          // init and the runner only; the runner still answers (the next run reuses the sandbox).
          expect(await d.docker.containers.processes(containerId)).toHaveLength(2);
          const next = await runIn(mode, record.conversationId ?? '', 'echo again');
          expect(next.record.id).toBe(record.id);
          expect(next.output).toContain('again');
        } else {
          await until(async () => (await d.registry.get(record.id))?.frozen, 5_000);
          expect(await containerState(d, containerId)).toBe('paused');
        }
      } finally {
        // Gone already when the kill's CPU watch recycled it (the assertions above say so).
        if (await d.registry.get(record.id)) await d.sandboxes.remove(record.id, 'manual');
      }
    },
  );

  it.each(['freeze', 'keep'] as const)(
    '%s: a background server on 127.0.0.1 survives between runs',
    async (mode) => {
      const first = await runIn(mode, undefined, SERVE);
      expect(first.output).toContain('up');
      if (mode === 'freeze') await until(async () => (await d.registry.get(first.record.id))?.frozen, 10_000);
      const second = await runIn(mode, first.id, FETCH);
      expect(second.record.id).toBe(first.record.id);
      expect(second.output).toContain('Directory listing');
      await d.sandboxes.remove(first.record.id, 'manual');
    },
  );

  it('kill: the background server is gone by the next run', async () => {
    const first = await runIn('kill', undefined, SERVE);
    expect(first.output).toContain('up');
    const second = await runIn('kill', first.id, FETCH);
    expect(second.output).not.toContain('Directory listing');
    await d.sandboxes.remove(first.record.id, 'manual');
  });

  it('reconcile keeps a frozen sandbox, the audit says frozen, and the reaper thaws it for its sync-out', async () => {
    const { record } = await runIn('freeze', undefined, 'echo hello > kept.txt');
    await until(async () => (await d.registry.get(record.id))?.frozen, 10_000);

    const report = await d.reconciler.reconcile();
    expect(report.lost).not.toContain(record.id);
    expect(await containerState(d, record.containerId)).toBe('paused');

    const audit = await d.api('GET', '/api/audit/sandboxes');
    const entry = (
      audit.body.sandboxes as {
        sandboxId: string;
        state: string;
        checks: { id: string; actual: string; status: string }[];
      }[]
    ).find((s) => s.sandboxId === record.id);
    expect(entry?.state).toBe('idle (frozen)');
    expect(entry?.checks.find((c) => c.id === 'runner.cross-check')?.actual).toMatch(/frozen/);
    expect(entry?.checks.find((c) => c.id === 'caps.effective')?.status).toBe('pass');

    clock.advance(d.policy.current.idleTtlMs + 1_000);
    const reaped = await d.reaper.reapOnce();
    const reap = reaped.find((r) => r.sandboxId === record.id);
    // The pre-remove sync-out needs the runner: it ran (no hook error, not deferred), so the thaw came first.
    expect(reap).toMatchObject({ reason: 'idle_ttl', deferred: false });
    expect(reap?.hookError).toBeUndefined();
    expect(await d.docker.containers.inspect(record.containerId)).toBeUndefined();
  });
});
