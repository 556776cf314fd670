import type { AuditFiling } from './audit-filing.js';
import type { CheckResult, PostureAuditFinding } from './audit-types.js';
import { RESULT_LABEL, componentVersions } from './report-text.js';

type Level = 'error' | 'warning' | 'note';

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties: { tags: string[]; cis?: string; source?: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: 'fail';
  level: Level;
  message: { text: string };
  locations: { logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[] }[];
  properties: Record<string, string | null>;
}

/** A rule's readable name in PascalCase, from its title (SARIF wants it to differ from the opaque id). */
function ruleName(title: string, id: string): string {
  const name = title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => {
      const word = /^[A-Z0-9]+$/.test(part) ? part.toLowerCase() : part;
      return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
    })
    .join('');
  return name.toLowerCase() === id.toLowerCase() ? `${name}Check` : name;
}

const POSTURE_LEVEL: Record<PostureAuditFinding['severity'], Level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/**
 * SARIF 2.1.0: one rule per check the audit ran (and per advisory that applies), one result per check that
 * FAILED or is NOT ENFORCED on this host and per posture finding. Passing and not-applicable checks are rules
 * without results, so a reader sees what was checked.
 */
export function renderAuditSarif(filing: AuditFiling): string {
  const { report } = filing;
  const rules: SarifRule[] = [];
  const index = new Map<string, number>();
  const rule = (r: SarifRule): number => {
    const known = index.get(r.id);
    if (known !== undefined) return known;
    index.set(r.id, rules.length);
    rules.push(r);
    return rules.length - 1;
  };
  const checkRule = (c: CheckResult): number =>
    rule({
      id: c.id,
      name: ruleName(c.title, c.id),
      shortDescription: { text: c.title },
      fullDescription: { text: `${c.title}. Expected: ${c.expected}.` },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'isolation', ...(c.cis ? [`CIS-Docker-${c.cis}`] : [])],
        ...(c.cis ? { cis: c.cis } : {}),
        source: c.source,
      },
    });
  const results: SarifResult[] = [];
  const checkResults = (checks: readonly CheckResult[], name: string, qualified: string, kind: string) => {
    for (const c of checks) {
      const ruleIndex = checkRule(c);
      if (c.status !== 'fail' && c.status !== 'not_enforced') continue;
      results.push({
        ruleId: c.id,
        ruleIndex,
        kind: 'fail',
        level: c.status === 'fail' ? 'error' : 'warning',
        message: {
          text: `${RESULT_LABEL[c.status]} on ${name}: ${c.title}. Expected ${c.expected}; actual ${c.actual}.`,
        },
        locations: [{ logicalLocations: [{ name, fullyQualifiedName: qualified, kind }] }],
        properties: { status: c.status, source: c.source, expected: c.expected, actual: c.actual },
      });
    }
  };
  checkResults(report.host.checks, report.node, `node/${report.node}`, 'module');
  for (const s of report.sandboxes) {
    checkResults(s.checks, `sandbox ${s.sandboxId}`, `node/${report.node}/sandbox/${s.sandboxId}`, 'object');
  }
  for (const f of report.posture?.findings ?? []) {
    const ruleIndex = rule({
      id: f.cve,
      name: ruleName(`${f.component} ${f.cve}`, f.cve),
      shortDescription: { text: f.summary },
      fullDescription: { text: `${f.summary} Fixed in ${f.fixed.join(', ')}. ${f.mitigationNote}` },
      ...(f.sources[0]?.startsWith('https://') ? { helpUri: f.sources[0] } : {}),
      defaultConfiguration: { level: POSTURE_LEVEL[f.severity] },
      properties: { tags: ['security', 'vulnerability', f.component] },
    });
    results.push({
      ruleId: f.cve,
      ruleIndex,
      kind: 'fail',
      level: POSTURE_LEVEL[f.severity],
      message: {
        text: `${f.cve} applies to ${f.component} ${f.installed}: ${f.reason}. Mitigations on this node: ${f.mitigationsPresent.map((m) => `${m.id} ${m.present === null ? 'not verifiable' : m.present ? 'present' : 'absent'}`).join(', ')}.`,
      },
      locations: [
        {
          logicalLocations: [
            { name: f.component, fullyQualifiedName: `node/${report.node}/${f.component}`, kind: 'module' },
          ],
        },
      ],
      properties: { status: 'finding', severity: f.severity, installed: f.installed, actual: f.reason },
    });
  }
  const host = report.host.engine;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'agentd-audit',
            fullName: 'agentd isolation audit',
            version: filing.agentdVersion,
            rules,
          },
        },
        automationDetails: { id: `agentd-audit/${report.node}/${filing.generatedAt}` },
        invocations: [{ executionSuccessful: true, endTimeUtc: filing.generatedAt }],
        results,
        properties: {
          node: report.node,
          evidenceSha256: filing.evidenceSha256,
          engine: `${host.version} (API ${host.apiVersion})`,
          ...Object.fromEntries(componentVersions(report.posture)),
          kernel: host.kernel,
          cgroupVersion: host.cgroupVersion,
          runtimes: host.runtimes,
          lsms: report.host.lsms,
          counts: filing.counts,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
