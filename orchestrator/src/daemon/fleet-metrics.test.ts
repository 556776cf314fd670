import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../health/health-service.js';
import { Metrics } from '../metrics/metrics.js';
import { registerFleetMetrics } from './fleet-metrics.js';

function report(redis: 'up' | 'down'): HealthReport {
  return {
    status: redis === 'up' ? 'ok' : 'down',
    ready: redis === 'up',
    node: 'n1',
    shuttingDown: false,
    dependencies: [
      { name: 'postgres', status: 'up', mode: 'service', latencyMs: 1 },
      { name: 'redis', status: redis, mode: 'service', latencyMs: 1 },
    ],
  };
}

describe('registerFleetMetrics', () => {
  it('exports each dependency’s last probe and one series per live node', async () => {
    const metrics = new Metrics();
    registerFleetMetrics(metrics, {
      health: { report: () => Promise.resolve(report('down')) },
      nodes: {
        list: () =>
          Promise.resolve([
            { nodeId: 'n1', url: null, startedAt: '' },
            { nodeId: 'n2', url: null, startedAt: '' },
          ]),
      },
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('agentd_dependency_up{dependency="postgres",mode="service"} 1');
    expect(text).toContain('agentd_dependency_up{dependency="redis",mode="service"} 0');
    expect(text).toContain('agentd_fleet_node_up{node="n1"} 1');
    expect(text).toContain('agentd_fleet_node_up{node="n2"} 1');
  });

  it('still answers the scrape when the node directory cannot be read (Redis down)', async () => {
    const metrics = new Metrics();
    registerFleetMetrics(metrics, {
      health: { report: () => Promise.resolve(report('down')) },
      nodes: { list: () => Promise.reject(new Error('connection refused')) },
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('agentd_dependency_up{dependency="redis",mode="service"} 0');
    expect(text).not.toMatch(/^agentd_fleet_node_up\{/m);
  });
});
