import { createHash } from 'node:crypto';
import type { AuditFiling } from './audit-filing.js';
import { SIGN_OFF_DECISIONS } from './audit-filing.js';
import type { CheckResult, PostureAudit, SandboxAudit, SandboxEgressView } from './audit-types.js';
import { RESULT_LABEL, componentVersions } from './report-text.js';

/** Everything that reaches the page goes through here: evidence comes from containers a tenant controls. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const h = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#111;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top}
td.evidence{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.pass{color:#155724}.fail{color:#fff;background:#b00020;font-weight:bold}.not_enforced{background:#ffe08a;font-weight:bold}.not_applicable{color:#666}
.signoff td{height:2rem}.note{color:#444}code{font-family:ui-monospace,monospace}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}
`;

/**
 * The page allows its own stylesheet and nothing else: no script, image, font, frame or form can load or
 * run, so even an escaping bug could not execute a hostile string from a sandbox.
 */
export const AUDIT_HTML_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// A saved copy opened from disk has no response header: the same policy rides in the document (frame-ancestors
// is ignored in a meta tag, so it is left out there).
const META_CSP = AUDIT_HTML_CSP.replace("; frame-ancestors 'none'", '');

function checksTable(checks: readonly CheckResult[]): string {
  const rows = checks.map(
    (c) =>
      `<tr><td>${h(c.title)}<br><code>${h(c.id)}</code></td><td>${h(c.cis ?? '')}</td><td>${h(c.source)}</td>` +
      `<td class="${c.status}">${RESULT_LABEL[c.status]}</td><td class="evidence">${h(c.expected)}</td><td class="evidence">${h(c.actual)}</td></tr>`,
  );
  return `<table><thead><tr><th>check</th><th>CIS</th><th>source</th><th>result</th><th>expected</th><th>evidence (actual)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function egressText(egress: SandboxEgressView): string {
  if (egress.mode === 'none') return `none (${egress.source}); the sandbox has no network interface but lo`;
  const list = (items: string[]) => (items.length > 0 ? items.join(', ') : 'none');
  return (
    `allowlist (${egress.source}) through agentd only: allow ${list(egress.allow)}; deny ${list(egress.deny)}; ` +
    `addresses ${list(egress.allowAddresses)}; at most ${egress.maxConnections} connections, ${egress.maxBytesPerRun} bytes per run`
  );
}

function sandboxSection(s: SandboxAudit): string {
  return (
    `<h3>Sandbox ${h(s.sandboxId)} — <span class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'passes' : 'FAILS'}</span></h3>` +
    `<p>Container <code>${h(s.containerId)}</code> (${h(s.name)}), state ${h(s.state)}, profile ${h(s.profile ?? 'none')}, ` +
    `tenant ${h(s.tenantId ?? '-')}, conversation ${h(s.conversationId ?? '-')}.</p>` +
    (s.egress ? `<p>Egress: ${h(egressText(s.egress))}.</p>` : '') +
    checksTable(s.checks)
  );
}

const PRESENT = (present: boolean | null): string =>
  present === null ? 'not verifiable' : present ? 'present' : 'absent';

function postureSection(posture: PostureAudit): string {
  const findings = posture.findings.map(
    (f) =>
      `<h3>${h(f.cve)} — ${h(f.component)} ${h(f.installed)} (${h(f.severity)})</h3><p>${h(f.summary)}</p>` +
      `<p>Why it applies: ${h(f.reason)}. Mitigations: ${h(f.mitigationNote)}</p>` +
      `<table><thead><tr><th>mitigation</th><th>on this node</th><th>evidence</th></tr></thead><tbody>` +
      f.mitigationsPresent
        .map(
          (m) =>
            `<tr><td>${h(m.id)}</td><td class="${m.present === false ? 'fail' : m.present ? 'pass' : 'not_enforced'}">${PRESENT(m.present)}</td><td class="evidence">${h(m.evidence)}</td></tr>`,
        )
        .join('') +
      `</tbody></table><p class="note">Sources: ${f.sources.map(h).join('; ')}</p>`,
  );
  return (
    `<h2>Security posture (AGENTD_POSTURE=${h(posture.mode)})</h2>` +
    `<p>Advisory table v${posture.tableVersion}, reviewed ${h(posture.tableReviewed)}. ${posture.findings.length} finding(s).</p>` +
    (posture.unverified.length > 0
      ? `<ul>${posture.unverified.map((u) => `<li>Not verified: ${h(u)}</li>`).join('')}</ul>`
      : '') +
    findings.join('')
  );
}

function profilesSection(filing: AuditFiling): string {
  const rows = filing.profiles.map(
    (p) =>
      `<tr><td>${h(p.name)} v${p.version}<br><span class="note">${h(p.description)}</span></td><td>${h(p.runtime)}</td><td>${h(p.network)}</td>` +
      `<td class="evidence">${h(JSON.stringify(p.limits))}</td><td class="evidence">${h(p.seccompProfile)}<br>sha256 ${h(p.seccompSha256)}</td>` +
      `<td class="evidence">${h(p.apparmorProfile)}<br>sha256 ${h(p.apparmorSha256)}</td></tr>`,
  );
  return (
    '<h2>Hardening profiles</h2><p>What a new sandbox of each profile is created with; the full seccomp and AppArmor texts are served by <code>GET /api/audit/profiles</code> and hash to the digests below.</p>' +
    `<table><thead><tr><th>profile</th><th>runtime</th><th>network</th><th>limits</th><th>seccomp</th><th>AppArmor</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function summarySection(filing: AuditFiling): string {
  const { all, host, sandboxes } = filing.counts;
  const row = (label: string, counts: typeof all) =>
    `<tr><th>${label}</th>${(['pass', 'fail', 'not_enforced', 'not_applicable'] as const).map((s) => `<td class="${counts[s] > 0 ? s : ''}">${counts[s]}</td>`).join('')}</tr>`;
  return (
    '<h2>Summary</h2>' +
    `<table><thead><tr><th>checks</th><th>PASS</th><th>FAIL</th><th>NOT ENFORCED</th><th>n/a</th></tr></thead><tbody>${row('all', all)}${row('host', host)}</tbody></table>` +
    `<p>${sandboxes.total} live sandbox(es): ${sandboxes.passing} passing, ${sandboxes.failing} failing. ${filing.counts.profiles} profile(s). ` +
    `${filing.counts.postureFindings} known vulnerability finding(s), ${filing.counts.postureUnverified} component(s) not verified.</p>` +
    '<p class="note">Facts are read from the engine (<code>docker inspect</code>) and the host kernel (<code>/proc/&lt;pid&gt;</code>), never from the sandbox; the runner\'s own view is only a cross-check. NOT ENFORCED means this host lacks the mechanism (AppArmor on a kernel without it): it is never counted as passing. n/a means the control does not apply to a sandbox; the evidence says why.</p>'
  );
}

function hostSection(filing: AuditFiling): string {
  const { host } = filing.report;
  const versions = componentVersions(filing.report.posture);
  return (
    '<h2>Host</h2><table><tbody>' +
    `<tr><th>engine</th><td>${h(host.engine.version)} (API ${h(host.engine.apiVersion)}), ${h(host.engine.operatingSystem)}</td></tr>` +
    versions.map(([name, v]) => `<tr><th>${h(name)}</th><td>${h(v)}</td></tr>`).join('') +
    `<tr><th>kernel</th><td>${h(host.engine.kernel)}, cgroup v${h(host.engine.cgroupVersion)}</td></tr>` +
    `<tr><th>runtimes</th><td>${h(host.engine.runtimes.join(', '))}</td></tr>` +
    `<tr><th>LSMs</th><td>${h(host.lsms?.join(', ') ?? 'unknown (securityfs not mounted)')}</td></tr>` +
    '</tbody></table>' +
    checksTable(host.checks)
  );
}

function signOffSection(): string {
  const field = (label: string) => `<tr><th>${label}</th><td></td></tr>`;
  return (
    '<h2>Sign-off</h2><p>I reviewed the evidence above (identified by its SHA-256) and record this decision.</p>' +
    `<table class="signoff"><tbody>${field('Reviewer')}${field('Role')}` +
    `<tr><th>Decision</th><td>${SIGN_OFF_DECISIONS.map((d) => `☐ ${d}`).join(' &nbsp; ')}</td></tr>` +
    `${field('Exceptions accepted')}${field('Date')}${field('Signature')}</tbody></table>`
  );
}

/** A self-contained page to print or file: no script, no external resource, every value escaped. */
export function renderAuditHtml(filing: AuditFiling): string {
  const { report } = filing;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${h(META_CSP)}">`,
    `<title>${h(filing.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${h(filing.title)}</h1>`,
    `<p>Generated ${h(filing.generatedAt)} by agentd ${h(filing.agentdVersion)}. Evidence SHA-256 <code>${h(filing.evidenceSha256)}</code>.</p>`,
    summarySection(filing),
    hostSection(filing),
    report.posture ? postureSection(report.posture) : '',
    profilesSection(filing),
    `<h2>Live sandboxes (${report.sandboxes.length})</h2>`,
    report.sandboxes.length === 0 ? '<p>No live sandbox on this node at the time of the audit.</p>' : '',
    ...report.sandboxes.map(sandboxSection),
    signOffSection(),
    '</body></html>',
    '',
  ].join('\n');
}
