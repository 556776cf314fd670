import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReapRecord } from '../../orchestrator/src/sandbox/reap-reason.js';
import { sse, type SseResult } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const MiB = 1024 * 1024;

// Small limits so the fork bomb and the OOM are cheap: 0.25 CPU, 64 pids, the smallest memory the profile rules
// allow for these tmpfs sizes (their pages count against it).
const LIMITS = {
  memoryBytes: 192 * MiB,
  nanoCpus: 250_000_000,
  pidsLimit: 64,
  workspaceBytes: 8 * MiB,
  tmpBytes: 8 * MiB,
  shmBytes: 1 * MiB,
  fsizeBytes: 8 * MiB,
};

describe('sandbox limits surface as events; per-run and per-sandbox usage (real engine)', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: { AGENTD_DISCONNECT_GRACE: '0', AGENTD_USAGE_INTERVAL: '200ms', AGENTD_PIDS_SATURATION: '2s' },
    });
    const tenant = await d.api('POST', '/api/tenants', { name: 'limits', policy: { limits: LIMITS } });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function conversation(): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations`, { title: 't' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  function run(conversationId: string, message: string): Promise<SseResult> {
    return sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message },
      headers: { 'x-api-key': d.adminKey },
    });
  }

  function warnings(res: SseResult) {
    return res.events.map((e) => e.data).filter((e) => e.type === 'warning');
  }

  async function metricLines(sandboxId: string): Promise<string[]> {
    const text = await (await fetch(`${d.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('agentd_sandbox_') && l.includes(`sandbox="${sandboxId}"`));
  }

  it('an OOM-killed command: a memory warning right before its tool result, usage recorded and reported', async () => {
    const id = await conversation();
    const res = await run(
      id,
      ['@tool bash {"command":"python3 -c \\"x = b\'a\' * (10**9)\\"; echo exit=$?"}', '@result'].join('\n'),
    );
    expect(res.done).toBe(true);
    const data = res.events.map((e) => e.data);
    const warningAt = data.findIndex((e) => e.type === 'warning' && e.limit === 'memory');
    expect(warningAt).toBeGreaterThan(0);
    expect(data[warningAt]).toMatchObject({
      code: 'SANDBOX_LIMIT',
      limit: 'memory',
      max: LIMITS.memoryBytes,
    });
    expect(String(data[warningAt]?.message)).toMatch(/OOM killer/);
    const result = data.findIndex((e) => e.type === 'tool_result');
    expect(result).toBe(warningAt + 1);
    expect(String(data[result]?.output)).toContain('exit=137');
    expect(data.at(-1)?.type).toBe('usage');

    const runId = String(data[0]?.runId);
    const stored = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/runs/${runId}`);
    expect(stored.body.status).toBe('succeeded');
    const resources = stored.body.resources as Record<string, number | undefined>;
    expect(resources.cpuSeconds).toBeGreaterThan(0);
    // The allocation pushed the sandbox to its limit before the kill.
    expect(resources.peakMemoryBytes).toBeGreaterThan(LIMITS.memoryBytes / 2);
    expect(resources.peakPids).toBeGreaterThanOrEqual(2);
    expect(resources.bytesSynced).toBeGreaterThanOrEqual(0);
    const report = await d.api('GET', `/api/tenants/${tenantId}/usage`);
    expect(report.status).toBe(200);
    expect(report.body.total.resources.measuredRuns).toBeGreaterThanOrEqual(1);
    expect(report.body.total.resources.peakMemoryBytes).toBeGreaterThanOrEqual(
      resources.peakMemoryBytes ?? 1e15,
    );

    // The sandbox stays (the run succeeded): its gauges and admin view show it, with the limit it reached.
    const sandboxId = String(stored.body.sandboxId);
    const view = await d.api('GET', `/api/admin/sandboxes/${sandboxId}`);
    expect(view.status).toBe(200);
    expect(view.body.usage).toMatchObject({
      pidsLimit: LIMITS.pidsLimit,
      memoryLimitBytes: LIMITS.memoryBytes,
    });
    expect(view.body.usage.oomKills).toBeGreaterThanOrEqual(1);
    // The allocation may also have been throttled at 0.25 CPU: that is a limit event too.
    expect(view.body.limitEvents).toEqual(
      expect.arrayContaining([expect.objectContaining({ limit: 'memory', runId })]),
    );
    const lines = await metricLines(sandboxId);
    for (const name of ['cpu_seconds', 'memory_bytes', 'pids', 'workspace_bytes'])
      expect(lines.some((l) => l.startsWith(`agentd_sandbox_${name}{`))).toBe(true);

    // Gone sandbox, gone label set; its removal is recorded in the database, with the OOM, for every node.
    expect((await d.api('DELETE', `/api/admin/sandboxes/${sandboxId}`)).status).toBe(200);
    expect(await metricLines(sandboxId)).toEqual([]);
    // A second node on the same database (only now: without Redis it would take d's running runs for orphans).
    await using other = await startTestDaemon({ databaseUrl: d.databaseUrl });
    const reaps = await other.api('GET', '/api/admin/reaps');
    expect(reaps.status).toBe(200);
    expect(reaps.body.scope).toBe('fleet');
    expect(reaps.body.items.find((r: { sandboxId: string }) => r.sandboxId === sandboxId)).toMatchObject({
      reason: 'manual',
      node: d.config.nodeId,
      tenantId,
      oomKilled: true,
    });
  });

  it('a fork bomb: a pids warning, then the run ends SANDBOX_LIMIT and its sandbox is recycled', async () => {
    const id = await conversation();
    const recycled = new Promise<ReapRecord>((resolve) => {
      const listener = (reap: ReapRecord): void => {
        if (reap.conversationId !== id || reap.deferred) return;
        d.remover.off('reaped', listener);
        resolve(reap);
      };
      d.remover.on('reaped', listener);
    });
    const res = await run(id, '@tool bash {"command":"f(){ f | f & }; f; sleep 600"}\n@result');
    expect(res.done).toBe(true);
    const pids = warnings(res).filter((w) => w.limit === 'pids');
    expect(pids).toHaveLength(1);
    expect(pids[0]).toMatchObject({ code: 'SANDBOX_LIMIT', max: LIMITS.pidsLimit });
    const error = res.events.map((e) => e.data).find((e) => e.type === 'error');
    expect(error).toMatchObject({ code: 'SANDBOX_LIMIT' });
    expect(String(error?.message)).toMatch(/limit of 64 processes/);

    const runId = String(res.events[0]?.data.runId);
    const stored = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/runs/${runId}`);
    expect(stored.body).toMatchObject({ status: 'failed', errorCode: 'SANDBOX_LIMIT' });
    expect(stored.body.resources.peakPids).toBeGreaterThanOrEqual(LIMITS.pidsLimit - 1);
    // Recycled (after the stream ended: its removal first tries to save the workspace).
    expect(await recycled).toMatchObject({ sandboxId: stored.body.sandboxId, reason: 'run_aborted' });
    expect((await d.api('GET', `/api/admin/sandboxes/${String(stored.body.sandboxId)}`)).status).toBe(404);
  });
});
