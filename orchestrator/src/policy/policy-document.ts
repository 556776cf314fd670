import Type, { type Static } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import { parseDurationMs } from '../config/env-reader.js';
import { EgressPolicySchema, type EgressPolicy } from '../config/egress-policy.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import { egressPolicyIssues, resolveEgressPolicy } from '../egress/egress-policy-issues.js';
import {
  limitIssues,
  SandboxLimitsOverrideSchema,
  type SandboxLimits,
  type SandboxProfile,
} from '../sandbox/profile.js';

const Duration = Type.Union([
  Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)?$' }),
  Type.Integer({ minimum: 0 }),
]);
const ProfileName = '^[a-z][a-z0-9-]{0,31}$';

/** The lifecycle policy document operators write (YAML or JSON), validated as a whole. */
export const PolicyDocumentSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** Warm sandboxes per profile. */
    pool: Type.Optional(
      Type.Record(Type.String({ pattern: ProfileName }), Type.Integer({ minimum: 0, maximum: 100 })),
    ),
    idleTtl: Type.Optional(Duration),
    maxLifetime: Type.Optional(Duration),
    maxSandboxesPerNode: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    maxSandboxesPerTenant: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    reapInterval: Type.Optional(Duration),
    idleProcesses: Type.Optional(
      Type.Union([Type.Literal('freeze'), Type.Literal('kill'), Type.Literal('keep')]),
    ),
    /** Cores an idle sandbox may still burn after `kill` before it is recycled. */
    idleCpuLimit: Type.Optional(Type.Number({ minimum: 0, maximum: 64 })),
    /** Resource limits per profile, overriding the profile file's. */
    profiles: Type.Optional(
      Type.Record(
        Type.String({ pattern: ProfileName }),
        Type.Object(
          {
            limits: Type.Optional(SandboxLimitsOverrideSchema),
            /** The profile's egress (a tenant's `policy.egress` replaces it); absent: none. */
            egress: Type.Optional(EgressPolicySchema),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type PolicyDocument = Static<typeof PolicyDocumentSchema>;

/** What a policy document means, once checked against the profiles agentd has. */
export interface EffectivePolicy {
  lifecycle: LifecyclePolicy;
  /** Each profile's limits after the document's overrides. */
  limits: Record<string, SandboxLimits>;
  /** Each profile's egress policy (profiles the document does not name have none). */
  egress: Record<string, EgressPolicy>;
}

const MIN_DURATIONS: Record<string, number> = { idleTtl: 1_000, maxLifetime: 1_000, reapInterval: 100 };

/** Parses YAML or JSON text (JSON is YAML); a syntax error is a validation issue, not a crash. */
export function parsePolicyText(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (err) {
    throw new ValidationError(`unreadable policy ${source}`, [
      `${source}: ${(err as Error).message.split('\n')[0] ?? 'syntax error'}`,
    ]);
  }
}

/**
 * Checks a document against the schema and against the profiles (names exist, limits fit their memory) and
 * returns the effective policy, or throws one ValidationError listing every problem.
 */
export function resolvePolicy(
  document: unknown,
  base: LifecyclePolicy,
  profiles: ReadonlyMap<string, SandboxProfile>,
): EffectivePolicy {
  const issues = schemaIssues(PolicyDocumentSchema, document);
  if (issues.length > 0) throw new ValidationError('invalid policy', issues);
  const doc = document as PolicyDocument;
  const duration = (field: 'idleTtl' | 'maxLifetime' | 'reapInterval', fallback: number): number => {
    const value = doc[field];
    if (value === undefined) return fallback;
    const ms = typeof value === 'number' ? value : parseDurationMs(value);
    if (ms === undefined || ms < (MIN_DURATIONS[field] ?? 0)) {
      issues.push(`/${field}: must be at least ${MIN_DURATIONS[field] ?? 0} ms`);
      return fallback;
    }
    return ms;
  };
  const lifecycle: LifecyclePolicy = {
    poolSize: doc.pool ?? base.poolSize,
    idleTtlMs: duration('idleTtl', base.idleTtlMs),
    maxLifetimeMs: duration('maxLifetime', base.maxLifetimeMs),
    maxSandboxesPerNode: doc.maxSandboxesPerNode ?? base.maxSandboxesPerNode,
    maxSandboxesPerTenant: doc.maxSandboxesPerTenant ?? base.maxSandboxesPerTenant,
    reapIntervalMs: duration('reapInterval', base.reapIntervalMs),
    idleProcesses: doc.idleProcesses ?? base.idleProcesses,
    idleCpuLimit: doc.idleCpuLimit ?? base.idleCpuLimit,
  };
  for (const name of Object.keys(doc.pool ?? {})) {
    if (!profiles.has(name))
      issues.push(`/pool/${name}: no such profile (have ${[...profiles.keys()].join(', ')})`);
  }
  const pooled = Object.values(lifecycle.poolSize).reduce((a, b) => a + b, 0);
  if (pooled > lifecycle.maxSandboxesPerNode) {
    issues.push(
      `/pool: ${pooled} warm sandboxes exceed maxSandboxesPerNode (${lifecycle.maxSandboxesPerNode})`,
    );
  }
  const limits: Record<string, SandboxLimits> = {};
  const egress: Record<string, EgressPolicy> = {};
  for (const [name, profile] of profiles) limits[name] = profile.limits;
  for (const [name, override] of Object.entries(doc.profiles ?? {})) {
    const profile = profiles.get(name);
    if (!profile) {
      issues.push(`/profiles/${name}: no such profile (have ${[...profiles.keys()].join(', ')})`);
      continue;
    }
    if (override.egress !== undefined) {
      const egressIssues = egressPolicyIssues(override.egress, `/profiles/${name}/egress`);
      issues.push(...egressIssues);
      if (egressIssues.length === 0) egress[name] = resolveEgressPolicy(override.egress);
    }
    const merged = { ...profile.limits, ...override.limits };
    issues.push(...limitIssues(merged).map((i) => i.replace(/^\/limits/, `/profiles/${name}/limits`)));
    limits[name] = merged;
  }
  if (issues.length > 0) throw new ValidationError('invalid policy', issues);
  return { lifecycle, limits, egress };
}

/** The document that describes a lifecycle policy (for GET, and to seed from the environment). */
export function documentOf(lifecycle: LifecyclePolicy): PolicyDocument {
  return {
    version: 1,
    pool: lifecycle.poolSize,
    idleTtl: lifecycle.idleTtlMs,
    maxLifetime: lifecycle.maxLifetimeMs,
    maxSandboxesPerNode: lifecycle.maxSandboxesPerNode,
    maxSandboxesPerTenant: lifecycle.maxSandboxesPerTenant,
    reapInterval: lifecycle.reapIntervalMs,
    idleProcesses: lifecycle.idleProcesses,
    idleCpuLimit: lifecycle.idleCpuLimit,
  };
}
