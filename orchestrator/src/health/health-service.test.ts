import { describe, expect, it } from 'vitest';
import { HealthService, type DependencyCheck } from './health-service.js';

function check(
  name: string,
  critical: boolean,
  behaviour: () => Promise<string | undefined>,
): DependencyCheck {
  return { name, mode: 'service', critical, check: behaviour };
}

const up = (detail?: string) => () => Promise.resolve(detail);
const down = (message: string) => () => Promise.reject(new Error(message));
const options = { nodeId: 'n1', timeoutMs: 100, cacheMs: 0 };

describe('HealthService', () => {
  it('is ok and ready when every dependency answers, with each one’s latency', async () => {
    const health = new HealthService(
      [check('postgres', true, up()), check('redis', false, up('embedded'))],
      options,
    );
    const report = await health.report();
    expect(report).toMatchObject({ status: 'ok', ready: true, node: 'n1', shuttingDown: false });
    expect(report.dependencies).toEqual([
      { name: 'postgres', status: 'up', mode: 'service', latencyMs: expect.any(Number) },
      { name: 'redis', status: 'up', mode: 'service', latencyMs: expect.any(Number), detail: 'embedded' },
    ]);
  });

  it('is down and not ready when a critical dependency fails, naming it and its error', async () => {
    const health = new HealthService(
      [check('postgres', true, down('connection refused')), check('docker', true, up())],
      options,
    );
    const report = await health.report();
    expect(report).toMatchObject({ status: 'down', ready: false });
    expect(report.dependencies[0]).toMatchObject({
      name: 'postgres',
      status: 'down',
      error: 'connection refused',
    });
    expect(report.dependencies[1]).toMatchObject({ name: 'docker', status: 'up' });
  });

  it('is degraded but ready when only a non-critical dependency fails', async () => {
    const health = new HealthService(
      [check('postgres', true, up()), check('s3', false, down('timeout'))],
      options,
    );
    expect(await health.report()).toMatchObject({ status: 'degraded', ready: true });
  });

  it('counts a dependency that does not answer in time as down', async () => {
    const hang = () => new Promise<undefined>(() => undefined);
    const health = new HealthService([check('docker', true, hang)], options);
    const report = await health.report();
    expect(report.dependencies[0]).toMatchObject({ status: 'down', error: 'no answer within 100 ms' });
    expect(report.dependencies[0]?.latencyMs).toBeGreaterThanOrEqual(90);
  });

  it('is not ready while shutting down, even with every dependency up', async () => {
    const health = new HealthService([check('postgres', true, up())], { ...options, cacheMs: 60_000 });
    expect((await health.report()).ready).toBe(true);
    health.markShuttingDown();
    expect(await health.report()).toMatchObject({ ready: false, shuttingDown: true, status: 'ok' });
  });

  it('caches a report briefly and probes once for concurrent callers', async () => {
    let calls = 0;
    const counted = () => {
      calls++;
      return Promise.resolve(undefined);
    };
    const health = new HealthService([check('postgres', true, counted)], { ...options, cacheMs: 60_000 });
    await Promise.all([health.report(), health.report(), health.report()]);
    await health.report();
    expect(calls).toBe(1);
  });
});
