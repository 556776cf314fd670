import { NotFoundError, ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import {
  limitIssues,
  SandboxLimitsOverrideSchema,
  type SandboxLimits,
  type SandboxLimitsOverride,
  type SandboxProfile,
} from './profile.js';

/** A profile by name with its limits (the profile's defaults plus validated overrides). */
export function resolveProfile(
  profiles: ReadonlyMap<string, SandboxProfile>,
  name: string,
  overrides: SandboxLimitsOverride | undefined,
): { profile: SandboxProfile; limits: SandboxLimits } {
  const profile = profiles.get(name);
  if (!profile) throw new NotFoundError('sandbox profile', name);
  if (overrides === undefined) return { profile, limits: profile.limits };
  const issues = schemaIssues(SandboxLimitsOverrideSchema, overrides);
  const limits = { ...profile.limits, ...overrides };
  issues.push(...limitIssues(limits));
  if (issues.length > 0) throw new ValidationError('invalid sandbox limits', issues);
  return { profile, limits };
}
