import { SIGN_OFF_DECISIONS, type AuditFiling, type ResultCounts } from './audit-filing.js';
import { HONESTY_NOTE, auditMarkdownBody, cell } from './render-markdown.js';

function countsRow(label: string, c: ResultCounts): string {
  return `| ${label} | ${c.pass} | ${c.fail} | ${c.not_enforced} | ${c.not_applicable} |`;
}

/** The audit as a Markdown document to file: summary, evidence, profiles and a sign-off block. */
export function renderFilingMarkdown(filing: AuditFiling): string {
  const { counts } = filing;
  const profiles = [
    '',
    '## Hardening profiles',
    '',
    '| profile | runtime | network | limits | seccomp | AppArmor |',
    '|---|---|---|---|---|---|',
    ...filing.profiles.map(
      (p) =>
        `| ${cell(p.name)} v${p.version} | ${cell(p.runtime)} | ${cell(p.network)} | ${cell(JSON.stringify(p.limits))} | ${cell(p.seccompProfile)} sha256 ${cell(p.seccompSha256)} | ${cell(p.apparmorProfile)} sha256 ${cell(p.apparmorSha256)} |`,
    ),
  ];
  const lines = [
    `# ${cell(filing.title)}`,
    '',
    `Generated ${filing.generatedAt} by agentd ${cell(filing.agentdVersion)}. Evidence SHA-256 \`${filing.evidenceSha256}\`.`,
    '',
    '## Summary',
    '',
    '| checks | PASS | FAIL | NOT ENFORCED | n/a |',
    '|---|---|---|---|---|',
    countsRow('all', counts.all),
    countsRow('host', counts.host),
    '',
    `${counts.sandboxes.total} live sandbox(es): ${counts.sandboxes.passing} passing, ${counts.sandboxes.failing} failing. ${counts.profiles} profile(s). ${counts.postureFindings} known vulnerability finding(s), ${counts.postureUnverified} component(s) not verified.`,
    '',
    HONESTY_NOTE,
    ...auditMarkdownBody(filing.report, profiles),
    '',
    '## Sign-off',
    '',
    'I reviewed the evidence above (identified by its SHA-256) and record this decision.',
    '',
    '| | |',
    '|---|---|',
    '| Reviewer | |',
    '| Role | |',
    `| Decision | ${SIGN_OFF_DECISIONS.map((d) => `☐ ${d}`).join(' ')} |`,
    '| Exceptions accepted | |',
    '| Date | |',
    '| Signature | |',
  ];
  return `${lines.join('\n')}\n`;
}
