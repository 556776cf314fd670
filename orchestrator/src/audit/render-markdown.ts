import type { AuditReport, CheckResult, PostureAudit, SandboxEgressView } from './audit-types.js';

const MARK: Record<CheckResult['status'], string> = {
  pass: 'PASS',
  fail: '**FAIL**',
  not_applicable: 'n/a',
  not_enforced: 'NOT ENFORCED',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
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
  const { host, summary } = report;
  const lines = [
    `# agentd isolation audit — node ${report.node}`,
    '',
    `Generated ${report.generatedAt}. ${summary.sandboxes} sandbox(es), ${summary.failing} failing; ${summary.checks} checks: ${summary.failed} failed, ${summary.notEnforced} not enforced on this host, ${summary.notApplicable} not applicable.`,
    '',
    'Facts are read from the engine (`docker inspect`) and the host kernel (`/proc/<pid>`), never from the sandbox; the runner\'s own view is only a cross-check. "NOT ENFORCED" means this host lacks the mechanism: it is never counted as passing.',
    '',
    '## Host',
    '',
    `- Engine ${host.engine.version} (API ${host.engine.apiVersion}), ${host.engine.operatingSystem}, kernel ${host.engine.kernel}, cgroup v${host.engine.cgroupVersion}`,
    `- Runtimes: ${host.engine.runtimes.join(', ')}`,
    `- LSMs: ${host.lsms?.join(', ') ?? 'unknown (securityfs not mounted)'}`,
    '',
    ...table(host.checks),
    ...(report.posture ? postureSection(report.posture) : []),
  ];
  for (const sandbox of report.sandboxes) {
    lines.push(
      '',
      `## Sandbox ${sandbox.sandboxId} — ${sandbox.passed ? 'passes' : '**FAILS**'}`,
      '',
      `Container ${sandbox.containerId} (${sandbox.name}), state ${sandbox.state}, profile ${sandbox.profile ?? 'none'}, tenant ${sandbox.tenantId ?? '-'}, conversation ${sandbox.conversationId ?? '-'}.`,
      '',
      ...(sandbox.egress ? [egressLine(sandbox.egress), ''] : []),
      ...table(sandbox.checks),
    );
  }
  return `${lines.join('\n')}\n`;
}

function egressLine(egress: SandboxEgressView): string {
  if (egress.mode === 'none')
    return `Egress: none (${egress.source}); the sandbox has no network interface but lo.`;
  const list = (items: string[]) => (items.length > 0 ? items.map((i) => `\`${i}\``).join(', ') : 'none');
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
    `## Security posture (AGENTD_POSTURE=${posture.mode})`,
    '',
    `Advisory table v${posture.tableVersion}, reviewed ${posture.tableReviewed}. Versions: ${versions}. ${posture.findings.length} finding(s).`,
    ...posture.unverified.map((u) => `- Not verified: ${u}`),
  ];
  for (const f of posture.findings) {
    lines.push(
      '',
      `### ${f.cve} — ${f.component} ${f.installed} (${f.severity})`,
      '',
      f.summary,
      '',
      `Why it applies: ${f.reason}. Mitigations: ${f.mitigationNote}`,
      '',
      ...f.mitigationsPresent.map((m) => `- ${m.id}: ${PRESENT(m.present)} (${cell(m.evidence)})`),
    );
  }
  return lines;
}
