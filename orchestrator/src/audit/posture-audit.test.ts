import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../docker/container-options.js';
import { sampleSpec } from '../docker/sample-spec.fixture.js';
import { viewOfCreateOptions } from '../docker/to-config-view.js';
import { ADVISORIES } from '../security/advisories.js';
import { assessPosture } from '../security/assess-posture.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { SandboxAudit } from './audit-types.js';
import { postureAudit } from './posture-audit.js';
import type { ProcFacts } from './proc-facts.js';
import { SAMPLE_PROC_FACTS } from './sample-proc-facts.fixture.js';
import { sandboxChecks } from './sandbox-checks.js';

const seccompJson = '{"defaultAction":"SCMP_ACT_ERRNO"}';
const proc: ProcFacts = SAMPLE_PROC_FACTS;

function sandbox(id: string, uidMap: string[], rootOptions = 'ro,relatime'): SandboxAudit {
  const options = toCreateOptions(sampleSpec({ name: `agentd-${id}`, env: {}, seccompJson }));
  const checks = sandboxChecks({
    config: viewOfCreateOptions(options),
    proc: { ...proc, uidMap, rootMountOptions: rootOptions },
    processes: [],
    profile: { name: 'standard', seccompJson } as SandboxProfile,
    apparmor: { enforced: false, profileLoaded: null, reason: 'no apparmor' },
    runner: 'not_connected',
  });
  return {
    sandboxId: id,
    containerId: id,
    name: id,
    node: 'n',
    state: 'idle',
    tenantId: null,
    conversationId: null,
    profile: 'standard',
    checks,
    passed: true,
  };
}

const affected = assessPosture(ADVISORIES, {
  runc: { version: '1.1.5+ds1', gitCommit: '1.1.5+ds1-1+deb12u1' },
});
const mitigations = (sandboxes: SandboxAudit[], cve: string) =>
  Object.fromEntries(
    (
      postureAudit('preferred', affected, sandboxes).findings.find((f) => f.cve === cve)
        ?.mitigationsPresent ?? []
    ).map((m) => [m.id, m.present]),
  );

describe('postureAudit', () => {
  it('reads each mitigation from the live sandboxes’ checks', () => {
    expect(mitigations([sandbox('a', ['0', '100000', '65536'])], 'CVE-2025-52881')).toEqual({
      'userns-host-root-unmapped': true,
      'no-shared-volumes': true,
    });
    expect(mitigations([sandbox('a', ['0', '100000', '65536'])], 'CVE-2025-31133')).toEqual({
      'userns-host-root-unmapped': true,
      'readonly-rootfs': true,
    });
  });

  it('reports a mitigation absent when one sandbox lacks it (host root mapped, root writable)', () => {
    const weak = sandbox('b', ['0', '0', '65536'], 'rw,relatime');
    expect(mitigations([sandbox('a', ['0', '100000', '65536']), weak], 'CVE-2025-31133')).toEqual({
      'userns-host-root-unmapped': false,
      'readonly-rootfs': false,
    });
  });

  it('says "not verifiable" with no live sandbox, never present', () => {
    expect(mitigations([], 'CVE-2024-45310')).toEqual({
      'no-shared-volumes': null,
      'userns-host-root-unmapped': null,
    });
  });
});
