import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { agentd } from './cli-runner.js';

const MiB = 1024 * 1024;

describe('lifecycle policies', () => {
  let d: TestDaemon;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-policy-'));
    await writeFile(
      path.join(dir, 'seed.yaml'),
      'version: 1\npool: { standard: 0 }\nidleTtl: 20m\nmaxSandboxesPerTenant: 7\n',
    );
    d = await startTestDaemon({ env: { AGENTD_POLICY_FILE: path.join(dir, 'seed.yaml') } });
  });
  afterAll(async () => {
    await d.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the policy file', async () => {
    const state = (await d.api('GET', '/api/admin/policies')).body;
    expect(state.source).toBe('file');
    expect(state.effective.lifecycle).toMatchObject({ idleTtlMs: 1_200_000, maxSandboxesPerTenant: 7 });
  });

  it('refuses an invalid document, listing every problem at once, and changes nothing', async () => {
    const res = await d.api('PUT', '/api/admin/policies', {
      version: 1,
      pool: { nope: 1 },
      idleTtl: '10ms',
      profiles: { standard: { limits: { memoryBytes: 128 * MiB } } },
      surprise: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const issues = res.body.error.details.issues as string[];
    expect(issues.join('\n')).toMatch(/surprise: unknown property/);
    const fixed = await d.api('PUT', '/api/admin/policies', {
      version: 1,
      pool: { nope: 1 },
      idleTtl: '10ms',
      profiles: { standard: { limits: { memoryBytes: 128 * MiB } } },
    });
    const all = (fixed.body.error.details.issues as string[]).join('\n');
    expect(all).toMatch(/\/idleTtl/);
    expect(all).toMatch(/\/pool\/nope: no such profile/);
    expect(all).toMatch(/\/profiles\/standard\/limits.*memoryBytes/);
    expect((await d.api('GET', '/api/admin/policies')).body.source).toBe('file');
  });

  it('applies a valid change live, without a restart, and audits it', async () => {
    const res = await d.api('PUT', '/api/admin/policies', {
      version: 1,
      pool: { standard: 1 },
      idleTtl: '5m',
      profiles: {
        standard: {
          limits: {
            memoryBytes: 512 * MiB,
            workspaceBytes: 128 * MiB,
            tmpBytes: 64 * MiB,
            fsizeBytes: 128 * MiB,
          },
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('database');
    expect(d.policy.current).toMatchObject({ idleTtlMs: 300_000, poolSize: { standard: 1 } });
    // The pool fills to its new size with the new limits; new sandboxes get them.
    d.pool.refillInBackground();
    await expect.poll(() => d.pool.status()[0]?.ready ?? 0, { timeout: 20_000 }).toBe(1);
    const lease = await d.sandboxes.acquire({ tenantId: 'p', conversationId: 'c' });
    expect(lease.source).toBe('pool');
    const inspect = await d.docker.containers.inspect(lease.record.containerId);
    expect(inspect?.config.memory).toBe(512 * MiB);
    const log = (await d.api('GET', '/api/audit/log?action=policy.update')).body.items;
    expect(log).toHaveLength(1);
    expect(log[0].actor).toMatch(/^bootstrap-key/);
  });

  it('validates policy files from the CLI', async () => {
    await writeFile(
      path.join(dir, 'good.json'),
      JSON.stringify({ version: 1, pool: { standard: 3 }, maxLifetime: '2h' }),
    );
    await writeFile(path.join(dir, 'bad.yaml'), 'version: 2\nidleTtl: soon\nextra: 1\n');
    const good = await agentd(['policy', 'validate', path.join(dir, 'good.json')]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('valid');
    const bad = await agentd(['policy', 'validate', path.join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    for (const field of ['/version', '/idleTtl', '/extra: unknown property'])
      expect(bad.stderr).toContain(field);
    const goodJson = await agentd(['--json', 'policy', 'validate', path.join(dir, 'good.json')]);
    expect(goodJson.code).toBe(0);
    expect(JSON.parse(goodJson.stdout)).toMatchObject({
      valid: true,
      policy: { lifecycle: { poolSize: { standard: 3 } } },
    });
    const badJson = await agentd(['--json', 'policy', 'validate', path.join(dir, 'bad.yaml')]);
    expect(badJson.code).toBe(2);
    const report = JSON.parse(badJson.stdout) as { valid: boolean; issues: string[] };
    expect(report.valid).toBe(false);
    expect(report.issues.join('\n')).toContain('/extra: unknown property');
    const broken = await agentd(['policy', 'validate', path.join(dir, 'missing.yaml')]);
    expect(broken.code).not.toBe(0);
  });
});
