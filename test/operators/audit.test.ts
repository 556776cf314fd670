import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { agentd } from './cli-runner.js';

const run = promisify(execFile);

interface Check {
  id: string;
  status: string;
  actual: string;
}
interface SandboxReport {
  sandboxId: string;
  passed: boolean;
  state: string;
  checks: Check[];
}

/** The isolation audit reads what each live sandbox really has, and catches one that is weaker than the profile. */
describe('isolation audit', () => {
  let d: TestDaemon;
  let weakened = '';
  let sandboxId = '';

  beforeAll(async () => {
    d = await startTestDaemon();
    // Kept running when idle, so its runner can answer the cross-check (a frozen one is reported as frozen).
    const lease = await d.sandboxes.acquire({
      tenantId: 'audit',
      conversationId: 'c1',
      idleProcesses: 'keep',
    });
    sandboxId = lease.record.id;
    await d.sandboxes.release(lease);
    // A container made directly through the engine with agentd's labels but an added capability and a
    // writable root: exactly what agentd itself can never create.
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'NET_ADMIN',
      '--network',
      'none',
      '--label',
      'agentd.managed=true',
      '--label',
      `agentd.node=${d.config.nodeId}`,
      '--label',
      'agentd.sandbox=weakened0001',
      '--label',
      'agentd.profile=standard',
      '--label',
      `agentd.created=${new Date().toISOString()}`,
      '--entrypoint',
      'sleep',
      d.config.sandbox.image,
      '300',
    ]);
    weakened = stdout.trim();
  });
  afterAll(async () => {
    if (weakened) await run('docker', ['rm', '-f', weakened]);
    await d.destroy();
  });

  it('passes agentd’s own sandbox on every check this host can verify, and says AppArmor is not enforced', async () => {
    const report = (await d.api('GET', '/api/audit/sandboxes')).body as {
      sandboxes: SandboxReport[];
      host: { checks: Check[] };
    };
    const mine = report.sandboxes.find((s) => s.sandboxId === sandboxId);
    expect(mine?.passed).toBe(true);
    const status = Object.fromEntries((mine?.checks ?? []).map((c) => [c.id, c.status]));
    for (const id of [
      'caps.dropped',
      'caps.effective',
      'seccomp.loaded',
      'seccomp.matches-profile',
      'no-new-privileges.kernel',
      'userns.remapped',
      'rootfs.mounted-ro',
      'network',
      'engine-socket',
      'runner.cross-check',
    ]) {
      expect(status[id], id).toBe('pass');
    }
    expect(status.apparmor).toBe('not_enforced');
    expect(status.healthcheck).toBe('not_applicable');
    expect(report.host.checks.find((c) => c.id === 'host.apparmor')?.status).toBe('not_enforced');
    expect((mine?.checks ?? []).filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('marks a deliberately weakened container with agentd labels as failing', async () => {
    const report = (await d.api('GET', '/api/audit/sandboxes')).body as {
      sandboxes: SandboxReport[];
      summary: { failing: number };
    };
    const weak = report.sandboxes.find((s) => s.sandboxId === 'weakened0001');
    expect(weak).toMatchObject({ passed: false, state: 'unregistered' });
    const failed = (weak?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failed).toEqual(
      expect.arrayContaining([
        'caps.dropped',
        'rootfs.readonly',
        'no-new-privileges',
        'memory',
        'pids',
        'seccomp.matches-profile',
      ]),
    );
    expect(report.summary.failing).toBeGreaterThanOrEqual(1);
    const markdown = await agentd(['audit', '--url', d.url ?? '', '--api-key', d.adminKey]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## Sandbox weakened0001 — **FAILS**');
    expect(markdown.stdout).toMatch(/All capabilities dropped, none added \| 5\.3 \| engine \| \*\*FAIL\*\*/);
    expect(markdown.stdout).toContain(`## Sandbox ${sandboxId} — passes`);
  });

  it('publishes each profile with its seccomp and AppArmor contents and their SHA-256', async () => {
    const profiles = (await d.api('GET', '/api/audit/profiles')).body as {
      items: { name: string; seccomp: { sha256: string }; apparmor: { sha256: string; content: string } }[];
    };
    const standard = profiles.items.find((p) => p.name === 'standard');
    const seccomp = await readFile(
      new URL('../../deployment/seccomp/agent-sandbox.json', import.meta.url),
      'utf8',
    );
    const apparmor = await readFile(
      new URL('../../deployment/apparmor/agentd-sandbox', import.meta.url),
      'utf8',
    );
    expect(standard?.seccomp.sha256).toBe(createHash('sha256').update(seccomp).digest('hex'));
    expect(standard?.apparmor.sha256).toBe(createHash('sha256').update(apparmor).digest('hex'));
    expect(standard?.apparmor.content).toBe(apparmor);
  });
});
