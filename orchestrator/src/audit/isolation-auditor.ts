import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { ContainerClient } from '../docker/container-client.js';
import { LABELS } from '../docker/labels.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { PostureAssessment } from '../security/assess-posture.js';
import type { HostSecurityFacts } from '../security/host-security.js';
import type { AuditReport, CheckResult, HostAudit, SandboxAudit, SandboxEgressView } from './audit-types.js';
import { postureAudit } from './posture-audit.js';
import { readProcFacts } from './proc-facts.js';
import { sandboxChecks, type RunnerView } from './sandbox-checks.js';

export interface IsolationAuditorOptions {
  nodeId: string;
  containers: ContainerClient;
  registry: SandboxRegistry;
  hostSecurity: () => Promise<HostSecurityFacts>;
  profiles: () => ReadonlyMap<string, SandboxProfile>;
  /** Asks the sandbox's runner for its own view (a cross-check; undefined when none is connected). */
  probeRunner: (sandboxId: string) => Promise<RunnerView | 'unreachable' | 'not_connected'>;
  /** The egress policy a sandbox's runs get (tenant override, else the profile's); absent: not reported. */
  egressOf?: (tenantId: string | null, profile: string | null) => Promise<SandboxEgressView>;
  /** The node's idle-process policy (`keep` is reported as the weaker setting). */
  idleProcesses?: () => 'freeze' | 'kill' | 'keep';
  procRoot?: string;
  /** Reads the component versions again and checks them against the advisory table. */
  posture?: { mode: string; assess(): Promise<PostureAssessment> };
  logger: Logger;
}

/**
 * Audits what isolation every live sandbox of this node really has: every container labelled
 * agentd.managed=true for the node (registered or not), checked through the engine and the host kernel.
 */
export class IsolationAuditor {
  constructor(private readonly options: IsolationAuditorOptions) {}

  async audit(): Promise<AuditReport> {
    const { containers, nodeId } = this.options;
    const facts = await this.options.hostSecurity();
    const host = this.#hostAudit(facts);
    const managed = await containers.listManaged({ [LABELS.node]: nodeId });
    const sandboxes: SandboxAudit[] = [];
    for (const container of managed) {
      // A paused container is an idle sandbox frozen after its run: audited, without asking its runner.
      const frozen = container.state === 'paused';
      if (container.state !== 'running' && !frozen) continue;
      const inspection = await containers.inspect(container.id);
      if (!inspection) continue;
      const sandboxId = container.labels[LABELS.sandboxId] ?? '';
      const record = sandboxId ? await this.options.registry.get(sandboxId) : undefined;
      const profileName = container.labels[LABELS.profile] ?? null;
      const checks = sandboxChecks({
        config: inspection.config,
        proc: await readProcFacts(inspection.state.pid, this.options.procRoot),
        processes: await containers.processes(container.id).catch(() => []),
        profile: profileName ? this.options.profiles().get(profileName) : undefined,
        apparmor: facts.apparmor,
        runner: frozen ? 'frozen' : record ? await this.#probe(sandboxId) : 'not_connected',
      });
      const tenantId = record?.tenantId ?? container.labels[LABELS.tenant] ?? null;
      const egress = await this.options.egressOf?.(tenantId, profileName);
      sandboxes.push({
        ...(egress ? { egress } : {}),
        sandboxId: sandboxId || '(none)',
        containerId: container.id.slice(0, 12),
        name: container.name,
        node: nodeId,
        state: frozen ? `${record?.state ?? 'unregistered'} (frozen)` : (record?.state ?? 'unregistered'),
        tenantId,
        conversationId: record?.conversationId ?? container.labels[LABELS.conversation] ?? null,
        profile: profileName,
        checks,
        passed: checks.every((c) => c.status !== 'fail'),
      });
    }
    const all = [...host.checks, ...sandboxes.flatMap((s) => s.checks)];
    const { posture } = this.options;
    return {
      generatedAt: new Date().toISOString(),
      node: nodeId,
      host,
      sandboxes,
      ...(posture ? { posture: postureAudit(posture.mode, await posture.assess(), sandboxes) } : {}),
      summary: {
        sandboxes: sandboxes.length,
        failing: sandboxes.filter((s) => !s.passed).length,
        checks: all.length,
        failed: all.filter((c) => c.status === 'fail').length,
        notEnforced: all.filter((c) => c.status === 'not_enforced').length,
        notApplicable: all.filter((c) => c.status === 'not_applicable').length,
      },
    };
  }

  async #probe(sandboxId: string): Promise<RunnerView | 'unreachable' | 'not_connected'> {
    try {
      return await this.options.probeRunner(sandboxId);
    } catch (err) {
      this.options.logger.debug({ sandboxId, reason: errorMessage(err) }, 'Runner probe failed');
      return 'unreachable';
    }
  }

  #hostAudit(facts: HostSecurityFacts): HostAudit {
    const { engine } = facts;
    const checks: CheckResult[] = [
      {
        id: 'host.userns',
        cis: '2.8',
        title: 'Engine remaps user namespaces',
        status: facts.userns.remapped ? 'pass' : 'fail',
        source: 'engine',
        expected: 'userns-remap on',
        actual: facts.userns.reason,
      },
      {
        id: 'host.seccomp',
        title: 'Engine supports seccomp',
        status: facts.seccomp.engineSupports ? 'pass' : 'fail',
        source: 'engine',
        expected: 'name=seccomp in SecurityOptions',
        actual: engine.securityOptions.join('; ') || 'none',
      },
      {
        id: 'host.apparmor',
        title: 'Kernel enforces AppArmor',
        status: facts.apparmor.enforced ? (facts.apparmor.profileLoaded ? 'pass' : 'fail') : 'not_enforced',
        source: 'host',
        expected: 'apparmor in the LSM list, agentd-sandbox loaded',
        actual: facts.apparmor.reason,
      },
      {
        id: 'host.lsm',
        title: 'Active Linux security modules (read from the kernel)',
        status: facts.lsms === null ? 'not_applicable' : 'pass',
        source: 'host',
        expected: 'readable',
        actual:
          facts.lsms === null
            ? 'not applicable: securityfs is not mounted on this host'
            : facts.lsms.join(','),
      },
    ];
    const idle = this.options.idleProcesses?.();
    if (idle !== undefined) {
      checks.push({
        id: 'host.idle-processes',
        title: 'Idle sandboxes run nothing (idleProcesses)',
        status: idle === 'keep' ? 'not_enforced' : 'pass',
        source: 'host',
        expected: 'freeze or kill',
        actual:
          idle === 'keep'
            ? 'keep: a weaker setting, processes left by a run keep running while the sandbox is idle'
            : idle,
      });
    }
    return {
      node: this.options.nodeId,
      engine: {
        version: engine.serverVersion,
        apiVersion: engine.apiVersion,
        operatingSystem: engine.operatingSystem,
        kernel: engine.kernelVersion,
        cgroupVersion: engine.cgroupVersion,
        runtimes: engine.runtimes,
      },
      lsms: facts.lsms,
      checks,
    };
  }
}
