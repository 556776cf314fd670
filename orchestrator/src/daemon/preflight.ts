import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { DockerEngine, EngineInfo } from '../docker/docker-engine.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import { loadProfiles } from '../sandbox/profile-loader.js';
import { ADVISORIES } from '../security/advisories.js';
import { validateAdvisoryTable } from '../security/advisory-table.js';
import { EngineVersionSource } from '../security/engine-version-source.js';
import { detectHostSecurity, type HostSecurityFacts } from '../security/host-security.js';
import { SecurityPosture } from '../security/security-posture.js';
import type { VersionSource } from '../security/version-source.js';
import { decideIsolation } from '../security/isolation-policy.js';

/** What agentd learned about its host before it built anything. */
export interface PreflightResult {
  engineInfo: EngineInfo;
  profiles: Map<string, SandboxProfile>;
  defaultProfile: SandboxProfile;
  hostSecurity: HostSecurityFacts;
  /** Reads the host's isolation facts again (the audit reports them as they are now). */
  hostSecurityNow: () => Promise<HostSecurityFacts>;
  /** The AppArmor profile each sandbox profile gets on this host (null where the kernel has no AppArmor). */
  apparmorFor: (profile: SandboxProfile) => string | null;
  /** Known vulnerabilities of the engine, containerd, runc and kernel, checked against agentd's advisory table. */
  posture: SecurityPosture;
}

/**
 * Checks that agentd may start here: the engine answers, the profiles load, the host enforces what the
 * isolation policy demands, production settings are safe, the runtime has no known vulnerability the
 * posture policy refuses, and the runner image exists. Every refusal is
 * listed in one error, so an operator fixes them all at once.
 */
export async function preflight(
  config: AgentdConfig,
  docker: DockerEngine,
  logger: Logger,
  versionSource: VersionSource = new EngineVersionSource(docker),
): Promise<PreflightResult> {
  let engineInfo: EngineInfo;
  try {
    engineInfo = await docker.info();
  } catch (err) {
    throw new AgentdError(
      'DEPENDENCY_UNAVAILABLE',
      `the Docker engine at ${config.docker.host} does not answer: ${errorMessage(err)}`,
      { cause: err, details: { dependency: 'docker' } },
    );
  }
  const profiles = await loadProfiles(config.sandbox);
  const defaultProfile = profiles.get(config.sandbox.defaultProfile);
  if (!defaultProfile) {
    throw new AgentdError(
      'VALIDATION_FAILED',
      `default profile ${config.sandbox.defaultProfile} is not in ${config.sandbox.profilesDir}`,
    );
  }
  const hostSecurity = await detectHostSecurity(engineInfo, defaultProfile.apparmorProfile);
  const decisions = new Map<string, string | null>();
  const problems = config.appEnv === 'production' ? [...config.productionIssues] : [];
  if (config.appEnv === 'production') for (const warning of config.productionWarnings) logger.warn(warning);
  for (const profile of profiles.values()) {
    const decision = decideIsolation(hostSecurity, config.sandbox.isolation, profile.apparmorProfile);
    decisions.set(profile.name, decision.apparmorProfile);
    for (const warning of decision.warnings) logger.warn({ profile: profile.name }, warning);
    for (const refusal of decision.refusals) if (!problems.includes(refusal)) problems.push(refusal);
  }
  if (problems.length > 0) {
    throw new AgentdError('VALIDATION_FAILED', `agentd refuses to start:\n  - ${problems.join('\n  - ')}`, {
      severity: 'critical',
      details: { issues: problems },
    });
  }
  const posture = new SecurityPosture({
    mode: config.sandbox.posture,
    source: versionSource,
    table: validateAdvisoryTable(ADVISORIES),
    logger,
  });
  await posture.gate();
  if (!(await docker.images.labels(config.sandbox.image))) {
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `runner image ${config.sandbox.image} is missing: run \`agentd image build\``,
    );
  }
  return {
    engineInfo,
    profiles,
    defaultProfile,
    hostSecurity,
    hostSecurityNow: async () => detectHostSecurity(await docker.info(), defaultProfile.apparmorProfile),
    apparmorFor: (profile) => decisions.get(profile.name) ?? null,
    posture,
  };
}
