import type { IdleProcesses } from '../config/lifecycle-policy.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import type { SandboxLimitsOverride } from './profile.js';
import type { SandboxAssignment, SandboxRecord } from './sandbox-record.js';

export interface AcquireRequest extends SandboxAssignment {
  /** Profile name; the configured default when absent. */
  profile?: string;
  /** Per-tenant overrides of the profile's limits; any override bypasses the warm pool. */
  limits?: SandboxLimitsOverride;
  /** The tenant's override of the lifecycle policy's `idleProcesses`. */
  idleProcesses?: IdleProcesses;
}

export type AllocationSource = 'reuse' | 'pool' | 'cold';

/** A sandbox held by one run; give it back with `release`. */
export interface SandboxLease {
  record: SandboxRecord;
  channel: SandboxChannel;
  source: AllocationSource;
  /** Applied when the lease is released; the lifecycle policy's when absent. */
  idleProcesses?: IdleProcesses;
}

/**
 * A sandbox held for one run before it is ready: where it comes from and its record are known at once; a new
 * container is still starting until `ready` resolves (its record id may change if a start is retried).
 */
export interface SandboxClaim {
  source: AllocationSource;
  record: SandboxRecord;
  ready: Promise<SandboxLease>;
}
