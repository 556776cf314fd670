const KiB = 1024;
const MiB = 1024 * KiB;

/** Bounds on one skill and on a tenant's set; every upload is checked against them while it streams. */
export interface SkillLimits {
  /** Bytes of the request body (the archive as sent, compressed or not). */
  maxUploadBytes: number;
  /** Sum of the files' sizes once unpacked. */
  maxSkillBytes: number;
  maxFiles: number;
  /** Unpacked bytes per compressed byte, per zip entry and for a whole gzip stream (zip bombs). */
  maxCompressionRatio: number;
  maxDescriptionChars: number;
  maxSkillMdBytes: number;
  /** Skills one tenant may register. */
  maxSkillsPerTenant: number;
  /** What a tenant's enabled skills may take in a sandbox's /skills tmpfs (bytes plus a page per file). */
  maxEnabledBytes: number;
}

export const SKILL_LIMITS: SkillLimits = {
  maxUploadBytes: 16 * MiB,
  maxSkillBytes: 8 * MiB,
  maxFiles: 256,
  // Text compresses ~5-10x; 100x is already far beyond any honest skill.
  maxCompressionRatio: 100,
  maxDescriptionChars: 1024,
  maxSkillMdBytes: 256 * KiB,
  maxSkillsPerTenant: 64,
  // The /skills tmpfs is 32 MiB (docker/hardened-spec.ts); a quarter stays free for directories and slack.
  maxEnabledBytes: 24 * MiB,
};

/** The Agent Skills spec's name rule: lower-case letters, digits and single inner hyphens, at most 64. */
export const SKILL_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}$';
const SKILL_NAME = new RegExp(SKILL_NAME_PATTERN);

export function skillNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (!SKILL_NAME.test(name))
    return 'must be 1-64 lower-case letters, digits and single hyphens, not starting or ending with one';
  return undefined;
}
