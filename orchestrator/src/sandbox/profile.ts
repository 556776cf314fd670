import Type, { type Static } from 'typebox';
import { SKILLS_TMPFS_BYTES } from '../docker/hardened-spec.js';

const MiB = 1024 * 1024;

/** Resource limits of one sandbox. tmpfs pages count against `memoryBytes`, so the three sizes share it. */
export const SandboxLimitsSchema = Type.Object(
  {
    memoryBytes: Type.Integer({ minimum: 64 * MiB }),
    nanoCpus: Type.Integer({ minimum: 10_000_000, maximum: 64_000_000_000 }),
    pidsLimit: Type.Integer({ minimum: 16, maximum: 32_768 }),
    workspaceBytes: Type.Integer({ minimum: MiB }),
    tmpBytes: Type.Integer({ minimum: MiB }),
    shmBytes: Type.Integer({ minimum: MiB }),
    nofile: Type.Integer({ minimum: 64, maximum: 1_048_576 }),
    nproc: Type.Integer({ minimum: 16, maximum: 32_768 }),
    fsizeBytes: Type.Integer({ minimum: MiB }),
  },
  { additionalProperties: false },
);
export type SandboxLimits = Static<typeof SandboxLimitsSchema>;

export const SandboxLimitsOverrideSchema = Type.Partial(SandboxLimitsSchema, { additionalProperties: false });
export type SandboxLimitsOverride = Static<typeof SandboxLimitsOverrideSchema>;

/**
 * A named, versioned hardening profile (docs/architecture.md: hardening). Only what may vary between profiles is data;
 * the invariants (user 1000, CapDrop ALL, no-new-privileges, read-only root, no host namespaces …) are not
 * options at all.
 */
export const SandboxProfileSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    version: Type.Integer({ minimum: 1 }),
    description: Type.String({ maxLength: 500 }),
    /** OCI runtime: `runc`, or `runsc` (gVisor) for the strict profile where the engine has it. */
    runtime: Type.Union([Type.Literal('runc'), Type.Literal('runsc')]),
    /** File name under deployment/seccomp. */
    seccompProfile: Type.String({ pattern: '^[A-Za-z0-9._-]+\\.json$' }),
    /** AppArmor profile name, applied only where the kernel enforces AppArmor. */
    apparmorProfile: Type.String({ pattern: '^[A-Za-z0-9._-]+$' }),
    /** Network egress: `none` only, for now (an egress proxy would be a later, explicit profile). */
    network: Type.Literal('none'),
    tmpExec: Type.Boolean(),
    limits: SandboxLimitsSchema,
    log: Type.Object(
      {
        maxSize: Type.String({ pattern: '^[0-9]+[kmg]$' }),
        maxFile: Type.Integer({ minimum: 1, maximum: 20 }),
      },
      { additionalProperties: false },
    ),
    /** Seconds Docker waits after SIGTERM before SIGKILL on stop. */
    stopTimeoutSeconds: Type.Integer({ minimum: 0, maximum: 300 }),
  },
  { additionalProperties: false },
);
export type SandboxProfileDocument = Static<typeof SandboxProfileSchema>;

/** A loaded profile: the document plus the seccomp JSON it names, read once at load time. */
export interface SandboxProfile extends SandboxProfileDocument {
  seccompJson: string;
  seccompSha256: string;
  apparmorText: string;
  apparmorSha256: string;
}

/** Memory a sandbox's processes need beyond what its tmpfs mounts may hold. */
export const PROCESS_HEADROOM_BYTES = 128 * MiB;

/** Cross-field rules the schema cannot express; returns every problem found. */
export function limitIssues(limits: SandboxLimits): string[] {
  const issues: string[] = [];
  const tmpfs = limits.workspaceBytes + limits.tmpBytes + limits.shmBytes + SKILLS_TMPFS_BYTES;
  if (tmpfs + PROCESS_HEADROOM_BYTES > limits.memoryBytes) {
    issues.push(
      `/limits: workspaceBytes + tmpBytes + shmBytes + the /skills tmpfs (${SKILLS_TMPFS_BYTES}) (${tmpfs}) plus ${PROCESS_HEADROOM_BYTES} bytes of process headroom must fit in memoryBytes (${limits.memoryBytes}): tmpfs pages count against the memory limit`,
    );
  }
  if (limits.fsizeBytes > limits.workspaceBytes) {
    issues.push(
      `/limits/fsizeBytes (${limits.fsizeBytes}) must not exceed workspaceBytes (${limits.workspaceBytes})`,
    );
  }
  return issues;
}

/** Stable key of a limits object: the warm pool exists per (profile, limits). */
export function limitsKey(limits: SandboxLimits): string {
  return [
    limits.memoryBytes,
    limits.nanoCpus,
    limits.pidsLimit,
    limits.workspaceBytes,
    limits.tmpBytes,
    limits.shmBytes,
    limits.nofile,
    limits.nproc,
    limits.fsizeBytes,
  ].join('-');
}
