import type { Metrics } from '../metrics/metrics.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { SandboxUsage, SandboxUsageReader } from '../sandbox/sandbox-usage.js';

/**
 * Per-sandbox gauges of this node's live sandboxes, read from their cgroups at scrape time; a sandbox that is
 * gone is absent from the next scrape (each gauge is rebuilt from the live set).
 */
export function registerSandboxUsageMetrics(
  metrics: Metrics,
  registry: SandboxRegistry,
  nodeId: string,
  usage: SandboxUsageReader,
): void {
  // A scrape collects the gauges in registration order: the first one reads every sandbox, the others reuse it.
  let cached: Promise<{ sandbox: string; usage: SandboxUsage }[]> | undefined;
  const snapshot = (refresh: boolean): Promise<{ sandbox: string; usage: SandboxUsage }[]> => {
    if (cached && !refresh) return cached;
    cached = (async () => {
      const records = (await registry.list({ nodeId })).filter(
        (r) => r.containerId && r.state !== 'removing',
      );
      usage.retain(new Set(records.map((r) => r.id)), new Set(records.map((r) => r.containerId)));
      const read = await Promise.all(
        records.map(async (r) => ({ sandbox: r.id, usage: await usage.read(r).catch(() => undefined) })),
      );
      return read.filter((s): s is { sandbox: string; usage: SandboxUsage } => s.usage !== undefined);
    })();
    return cached;
  };
  let first = true;
  const gauge = (name: string, help: string, value: (u: SandboxUsage) => number | undefined): void => {
    const refresh = first;
    first = false;
    metrics.computedGauge(name, help, ['sandbox'], async () =>
      (await snapshot(refresh)).flatMap(({ sandbox, usage: u }) => {
        const v = value(u);
        return v === undefined ? [] : [{ labels: { sandbox }, value: v }];
      }),
    );
  };
  gauge('agentd_sandbox_cpu_seconds', 'CPU time a live sandbox used since it started.', (u) => u.cpuSeconds);
  gauge(
    'agentd_sandbox_memory_bytes',
    'Memory a live sandbox uses now (tmpfs pages included).',
    (u) => u.memoryBytes,
  );
  gauge('agentd_sandbox_pids', 'Processes in a live sandbox now.', (u) => u.pids);
  gauge(
    'agentd_sandbox_workspace_bytes',
    'Bytes used in a live sandbox’s /workspace.',
    (u) => u.workspace?.usedBytes,
  );
}
