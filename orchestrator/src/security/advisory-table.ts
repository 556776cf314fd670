import Type, { type Static } from 'typebox';
import { ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import { parseDebian, parseUpstream } from './component-version.js';

export const COMPONENTS = ['engine', 'containerd', 'runc', 'kernel'] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * Properties of a sandbox that blunt a class of escape, each read from the live state by the audit:
 * host root not mapped into the container, a read-only root, a fresh tmpfs for every writable path, and
 * no volume shared with another container.
 */
export const MITIGATIONS = [
  'userns-host-root-unmapped',
  'readonly-rootfs',
  'fresh-tmpfs',
  'no-shared-volumes',
] as const;
export type MitigationId = (typeof MITIGATIONS)[number];

const ComponentSchema = Type.Union([
  Type.Literal('engine'),
  Type.Literal('containerd'),
  Type.Literal('runc'),
  Type.Literal('kernel'),
]);
const MitigationSchema = Type.Union([
  Type.Literal('userns-host-root-unmapped'),
  Type.Literal('readonly-rootfs'),
  Type.Literal('fresh-tmpfs'),
  Type.Literal('no-shared-volumes'),
]);

export const AdvisorySchema = Type.Object(
  {
    id: Type.String({ pattern: '^CVE-\\d{4}-\\d{4,}$' }),
    component: ComponentSchema,
    severity: Type.Union([
      Type.Literal('low'),
      Type.Literal('medium'),
      Type.Literal('high'),
      Type.Literal('critical'),
    ]),
    summary: Type.String({ minLength: 20, maxLength: 400 }),
    /** First affected upstream version, when the flaw is younger than the component. */
    introduced: Type.Optional(Type.String()),
    /** The first fixed upstream version on each release line that got a fix. */
    fixed: Type.Array(Type.String(), { minItems: 1 }),
    /** Distribution builds known to carry the fix, from the distribution's own changelog. */
    distributionFixes: Type.Array(
      Type.Object(
        {
          distribution: Type.Literal('debian'),
          release: Type.String(),
          version: Type.String(),
          source: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    mitigations: Type.Array(MitigationSchema),
    /** Why those mitigations matter for this flaw (or why none of agentd's do). */
    mitigationNote: Type.String({ minLength: 20 }),
    sources: Type.Array(Type.String({ pattern: '^(https://|Debian changelog )' }), { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Advisory = Static<typeof AdvisorySchema>;

export const AdvisoryTableSchema = Type.Object(
  {
    /** Bumped on every change to the entries. */
    version: Type.Integer({ minimum: 1 }),
    /** When the facts were last checked against their sources. */
    reviewed: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    advisories: Type.Array(AdvisorySchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type AdvisoryTable = Static<typeof AdvisoryTableSchema>;

/** Schema issues plus what the schema cannot say: every version parses, ids are unique. */
export function advisoryTableIssues(table: unknown): string[] {
  const issues = schemaIssues(AdvisoryTableSchema, table);
  if (issues.length > 0) return issues;
  const { advisories } = table as AdvisoryTable;
  const seen = new Set<string>();
  advisories.forEach((a, i) => {
    const at = `/advisories/${i} (${a.id})`;
    if (seen.has(a.id)) issues.push(`${at}: duplicate id`);
    seen.add(a.id);
    for (const v of [...a.fixed, ...(a.introduced ? [a.introduced] : [])])
      if (!parseUpstream(v)) issues.push(`${at}: version "${v}" does not parse`);
    for (const d of a.distributionFixes) {
      const parsed = parseDebian(d.version);
      if (!parsed || parsed.revision === '0')
        issues.push(`${at}: "${d.version}" is not a Debian package version with a revision`);
    }
  });
  return issues;
}

export function validateAdvisoryTable(table: unknown): AdvisoryTable {
  const issues = advisoryTableIssues(table);
  if (issues.length > 0) throw new ValidationError('invalid advisory table', issues);
  return table as AdvisoryTable;
}
