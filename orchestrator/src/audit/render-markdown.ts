import type { AuditReport, CheckResult, PostureAudit, SandboxEgressView } from './audit-types.js';
import { componentVersions } from './report-text.js';

const MARK: Record<CheckResult['status'], string> = {
  pass: 'PASS',
  fail: '**FAIL**',
  not_applicable: 'n/a',
  not_enforced: 'NOT ENFORCED',
};

/**
 * Evidence comes from containers a tenant controls and Markdown viewers render inline HTML, links and
 * emphasis: every value is backslash-escaped so it stays text, on one line, inside its table cell.
 */
export function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|&#~]/g, '\\$&').replace(/\r?\n|\r/g, ' ');
}

function table(checks: readonly CheckResult[]): string[] {
  const lines = ['| check | CIS | source | result | expected | actual |', '|---|---|---|---|---|---|'];
  for (const c of checks) {
    lines.push(
      `| ${cell(c.title)} | ${c.cis ?? ''} | ${c.source} | ${MARK[c.status]} | ${cell(c.expected)} | ${cell(c.actual)} |`,
    );
  }
  return lines;
}

/** A report a security team can file: host facts, then one table per sandbox. */
export function renderAuditMarkdown(report: AuditReport): string {
  const { summary } = report;
  const lines = [
    `# agentd isolation audit — node ${cell(report.node)}`,
    '',
    `Generated ${report.generatedAt}. ${summary.sandboxes} sandbox(es), ${summary.failing} failing; ${summary.checks} checks: ${summary.failed} failed, ${summary.notEnforced} not enforced on this host, ${summary.notApplicable} not applicable.`,
    '',
    HONESTY_NOTE,
    ...auditMarkdownBody(report),
  ];
  return `${lines.join('\n')}\n`;
}

export const HONESTY_NOTE =
  'Facts are read from the engine (`docker inspect`) and the host kernel (`/proc/<pid>`), never from the sandbox; the runner\'s own view is only a cross-check. "NOT ENFORCED" means this host lacks the mechanism: it is never counted as passing.';

/** Host, posture and one section per sandbox: the evidence, shared by the plain audit and the filing. */
export function auditMarkdownBody(report: AuditReport, profiles: string[] = []): string[] {
  const { host } = report;
  const lines = [
    '',
    '## Host',
    '',
    `- Engine ${cell(host.engine.version)} (API ${cell(host.engine.apiVersion)}), ${cell(host.engine.operatingSystem)}, kernel ${cell(host.engine.kernel)}, cgroup v${cell(host.engine.cgroupVersion)}`,
    ...componentVersions(report.posture).map(([name, v]) => `- ${name} ${cell(v)}`),
    `- Runtimes: ${cell(host.engine.runtimes.join(', '))}`,
    `- LSMs: ${host.lsms ? cell(host.lsms.join(', ')) : 'unknown (securityfs not mounted)'}`,
    '',
    ...table(host.checks),
    ...(report.posture ? postureSection(report.posture) : []),
    ...profiles,
  ];
  for (const sandbox of report.sandboxes) {
    lines.push(
      '',
      `## Sandbox ${cell(sandbox.sandboxId)} — ${sandbox.passed ? 'passes' : '**FAILS**'}`,
      '',
      `Container ${cell(sandbox.containerId)} (${cell(sandbox.name)}), state ${cell(sandbox.state)}, profile ${cell(sandbox.profile ?? 'none')}, tenant ${cell(sandbox.tenantId ?? '-')}, conversation ${cell(sandbox.conversationId ?? '-')}.`,
      '',
      ...(sandbox.egress ? [egressLine(sandbox.egress), ''] : []),
      ...table(sandbox.checks),
    );
  }
  return lines;
}

function egressLine(egress: SandboxEgressView): string {
  if (egress.mode === 'none')
    return `Egress: none (${egress.source}); the sandbox has no network interface but lo.`;
  const list = (items: string[]) => (items.length > 0 ? items.map(cell).join(', ') : 'none');
  return (
    `Egress: allowlist (${egress.source}) through agentd only (the sandbox has no interface but lo): allow ${list(egress.allow)}; ` +
    `deny ${list(egress.deny)}; addresses ${list(egress.allowAddresses)}; at most ${egress.maxConnections} connections, ${egress.maxBytesPerRun} bytes per run.`
  );
}

const PRESENT = (present: boolean | null): string =>
  present === null ? 'not verifiable' : present ? 'present' : '**absent**';

function postureSection(posture: PostureAudit): string[] {
  const versions = Object.entries(posture.versions)
    .map(([name, v]) => `${name} ${v.version}${v.gitCommit ? ` (${v.gitCommit})` : ''}`)
    .join(', ');
  const lines = [
    '',
    `## Security posture (AGENTD_POSTURE=${cell(posture.mode)})`,
    '',
    `Advisory table v${posture.tableVersion}, reviewed ${cell(posture.tableReviewed)}. Versions: ${cell(versions)}. ${posture.findings.length} finding(s).`,
    ...posture.unverified.map((u) => `- Not verified: ${cell(u)}`),
  ];
  for (const f of posture.findings) {
    lines.push(
      '',
      `### ${f.cve} — ${f.component} ${cell(f.installed)} (${f.severity})`,
      '',
      cell(f.summary),
      '',
      `Why it applies: ${cell(f.reason)}. Mitigations: ${cell(f.mitigationNote)}`,
      '',
      ...f.mitigationsPresent.map((m) => `- ${m.id}: ${PRESENT(m.present)} (${cell(m.evidence)})`),
    );
  }
  return lines;
}
