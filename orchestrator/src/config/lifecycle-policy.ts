/** How sandboxes live and die on one node. Operators tune it; the reaper and the pool read it on every tick. */
export interface LifecyclePolicy {
  /** Warm sandboxes kept ready per profile (with the profile's own limits). */
  poolSize: Record<string, number>;
  /** An assigned sandbox with no run for this long is removed (after the pre-remove hook). */
  idleTtlMs: number;
  /** Any sandbox older than this is removed once it is not busy. */
  maxLifetimeMs: number;
  maxSandboxesPerNode: number;
  maxSandboxesPerTenant: number;
  reapIntervalMs: number;
  /** What happens to the processes a run leaves in its sandbox once the run ends. */
  idleProcesses: IdleProcesses;
  /**
   * `kill` only: CPU (in cores) a sandbox may still use once its stray processes were killed; at or above it
   * the sandbox is recycled (agent code can hide inside the runner itself).
   */
  idleCpuLimit: number;
}

/**
 * `freeze`: pause the container (cgroup freezer) until the next run; background servers survive and burn no
 * CPU. `kill`: SIGKILL everything but init and the runner. `keep`: leave them running (weaker).
 */
export type IdleProcesses = 'freeze' | 'kill' | 'keep';

export type IsolationRequirement = 'required' | 'preferred';

export interface IsolationPolicy {
  apparmor: IsolationRequirement;
  userns: IsolationRequirement;
}

export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = {
  poolSize: { standard: 2 },
  idleTtlMs: 15 * 60_000,
  maxLifetimeMs: 4 * 3_600_000,
  maxSandboxesPerNode: 50,
  maxSandboxesPerTenant: 10,
  reapIntervalMs: 10_000,
  idleProcesses: 'freeze',
  idleCpuLimit: 0.05,
};
