import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentdError } from '../../orchestrator/src/common/errors.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { ADVISORIES } from '../../orchestrator/src/security/advisories.js';
import { assessPosture } from '../../orchestrator/src/security/assess-posture.js';
import { EngineVersionSource } from '../../orchestrator/src/security/engine-version-source.js';
import type { ComponentVersions, VersionSource } from '../../orchestrator/src/security/version-source.js';
import { spawnAgentd } from '../support/agentd-process.js';
import { startTestDaemon } from '../support/test-daemon.js';

/** A host with upstream runc 1.1.11 (before the Leaky Vessels fix) and a patched containerd. */
const AFFECTED: ComponentVersions = {
  engine: { version: '24.0.7', gitCommit: '311b9ff' },
  containerd: { version: '1.7.29', gitCommit: '442cb34bda9a6a0fed82a2ca7cade05c5c749582' },
  runc: { version: '1.1.11', gitCommit: 'v1.1.11-0-g4bccb38c' },
  kernel: { version: '6.18.44' },
};
const AFFECTED_CVES = [
  'CVE-2024-21626',
  'CVE-2024-45310',
  'CVE-2025-31133',
  'CVE-2025-52565',
  'CVE-2025-52881',
];
const injected = (versions: ComponentVersions): VersionSource => ({ read: () => Promise.resolve(versions) });

interface HealthBody {
  posture: { mode: string; findings: { cve: string; component: string; installed: string }[] };
}

interface AuditBody {
  posture: {
    mode: string;
    versions: ComponentVersions;
    findings: {
      cve: string;
      reason: string;
      mitigationsPresent: { id: string; present: boolean | null; evidence: string }[];
    }[];
  };
}

describe('security posture gate (real daemon start path, real engine)', () => {
  it('refuses to start in required mode, listing every finding, when runc is affected', async () => {
    const started = startTestDaemon({
      env: { AGENTD_POSTURE: 'required' },
      versionSource: injected(AFFECTED),
      start: false,
    });
    const err = await started.then(
      // A daemon that started anyway (a broken gate) is closed again before the assertion fails.
      async (daemon) => {
        await daemon.destroy();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AgentdError);
    const posture = err as AgentdError;
    expect(posture.code).toBe('SECURITY_POSTURE');
    for (const cve of AFFECTED_CVES) expect(posture.message).toContain(cve);
    expect(posture.message).toContain('runc 1.1.11');
    expect((posture.details?.findings as { cve: string }[]).map((f) => f.cve).sort()).toEqual(AFFECTED_CVES);
  });

  it('starts in preferred mode and reports each finding in /health, /metrics and the audit', async () => {
    await using daemon = await startTestDaemon({ versionSource: injected(AFFECTED) });
    const health = await daemon.api('GET', '/health');
    expect(health.status).toBe(200);
    const body = health.body as HealthBody;
    expect(body.posture.mode).toBe('preferred');
    expect(body.posture.findings.map((f) => f.cve).sort()).toEqual(AFFECTED_CVES);
    expect(body.posture.findings[0]).toMatchObject({
      component: 'runc',
      installed: '1.1.11 (v1.1.11-0-g4bccb38c)',
    });
    // Findings are reported, never a reason to take the node out of service.
    expect((await daemon.api('GET', '/health/ready')).status).toBe(200);

    const metrics = String((await daemon.api('GET', '/metrics')).body);
    for (const cve of AFFECTED_CVES)
      expect(metrics).toMatch(
        new RegExp(`agentd_security_findings\\{cve="${cve}",component="runc",severity="\\w+"\\} 1`),
      );

    // With one live sandbox, the audit reads each mitigation from that sandbox's engine and kernel facts.
    await daemon.sandboxes.acquire({ tenantId: 'posture', conversationId: 'c1' });
    const audit = (await daemon.api('GET', '/api/audit/sandboxes')).body as AuditBody;
    expect(audit.posture.findings.map((f) => f.cve).sort()).toEqual(AFFECTED_CVES);
    const leaky = audit.posture.findings.find((f) => f.cve === 'CVE-2025-31133');
    expect(leaky?.reason).toContain('no fix was released on the 1.1 line');
    expect(Object.fromEntries(leaky?.mitigationsPresent.map((m) => [m.id, m.present]) ?? [])).toEqual({
      'userns-host-root-unmapped': daemon.hostSecurity.userns.remapped,
      'readonly-rootfs': true,
    });
    const shared = audit.posture.findings.find((f) => f.cve === 'CVE-2025-52881');
    expect(shared?.mitigationsPresent.find((m) => m.id === 'no-shared-volumes')).toMatchObject({
      present: true,
      evidence: expect.stringContaining('1 sandbox(es)') as unknown,
    });
    const markdown = String((await daemon.api('GET', '/api/audit/sandboxes?format=markdown')).body);
    expect(markdown).toContain('## Security posture (AGENTD_POSTURE=preferred)');
    expect(markdown).toContain('### CVE-2025-31133 — runc 1.1.11');
  });

  it("reports what applies to this host's real engine, containerd, runc and kernel", async () => {
    await using daemon = await startTestDaemon({ start: true });
    const real = await new EngineVersionSource(daemon.docker).read();
    const expected = assessPosture(ADVISORIES, real);
    const audit = (await daemon.api('GET', '/api/audit/sandboxes')).body as AuditBody;
    expect(audit.posture.versions).toEqual(real);
    expect(audit.posture.versions.runc?.version).toMatch(/^\d+\.\d+/);
    expect(audit.posture.findings.map((f) => f.cve)).toEqual(expected.findings.map((f) => f.cve));
    const health = (await daemon.api('GET', '/health')).body as HealthBody;
    expect(health.posture.findings.map((f) => f.cve)).toEqual(expected.findings.map((f) => f.cve));
  });

  it('the real `agentd serve` refuses with every finding in required mode on an affected host', async () => {
    const config = loadConfig(process.env);
    const docker = new DockerEngine({
      dockerHost: config.docker.host,
      logger: createLogger({ level: 'silent', pretty: false }),
    });
    const expected = assessPosture(ADVISORIES, await new EngineVersionSource(docker).read());
    if (expected.findings.length === 0) return; // A patched host starts: the other tests cover that path.
    const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-posture-'));
    try {
      const failure = await spawnAgentd(`posture-${randomId(6).toLowerCase()}`, {
        AGENTD_POSTURE: 'required',
        AGENTD_STATE_DIR: stateDir,
        API_KEYS: `posture-admin-${randomId(24)}`,
      }).then(
        async (proc) => {
          await proc.stop();
          return 'started';
        },
        (e: unknown) => String(e),
      );
      expect(failure).toContain('exited with 1 before listening');
      expect(failure).toContain('AGENTD_POSTURE=required');
      for (const f of expected.findings) expect(failure).toContain(f.cve);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
