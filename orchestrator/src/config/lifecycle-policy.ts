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
}

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
};
