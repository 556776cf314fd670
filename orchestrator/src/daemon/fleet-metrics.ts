import type { HealthReport } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { NodeInfo } from '../runs/node-directory.js';

/**
 * What the alerts on dependencies and heartbeats read, computed at scrape time: each dependency's last probe
 * (the health service caches it briefly) and one series per node whose heartbeat is alive.
 */
export function registerFleetMetrics(
  metrics: Metrics,
  sources: { health: { report(): Promise<HealthReport> }; nodes: { list(): Promise<NodeInfo[]> } },
): void {
  metrics.computedGauge(
    'agentd_dependency_up',
    'Whether each dependency answered its last health probe (1) or not (0), with how it is provided.',
    ['dependency', 'mode'],
    async () =>
      (await sources.health.report()).dependencies.map((d) => ({
        labels: { dependency: d.name, mode: d.mode },
        value: d.status === 'up' ? 1 : 0,
      })),
  );
  metrics.computedGauge(
    'agentd_fleet_node_up',
    'One series (value 1) per agentd node whose heartbeat is alive, as this node reads the directory; a node whose heartbeat lapsed disappears.',
    ['node'],
    // Unreadable (Redis down): no node is known alive, and agentd_dependency_up says why.
    async () =>
      (await sources.nodes.list().catch(() => [])).map((n) => ({ labels: { node: n.nodeId }, value: 1 })),
  );
}
