import { describeError, newestFirst, type Api, type Page as ListPage } from './api.js';
import { badge, el, fill, section, table } from './dom.js';
import { time } from './format.js';
import type { PageContext } from './page.js';

type CheckStatus = 'pass' | 'fail' | 'not_applicable' | 'not_enforced';

interface Check {
  id: string;
  cis?: string;
  title: string;
  status: CheckStatus;
  source: string;
  expected: string;
  actual: string;
}

interface SandboxAudit {
  sandboxId: string;
  containerId: string;
  node: string;
  state: string;
  tenantId: string | null;
  conversationId: string | null;
  profile: string | null;
  checks: Check[];
  passed: boolean;
}

interface PostureFinding {
  cve: string;
  component: string;
  installed: string;
  severity: string;
  reason?: string;
}

interface AuditReport {
  generatedAt: string;
  node: string;
  host: {
    engine: { version: string; kernel: string; cgroupVersion: string; operatingSystem: string };
    lsms: string[] | null;
    checks: Check[];
  };
  sandboxes: SandboxAudit[];
  posture?: { findings: PostureFinding[]; unverified: string[] };
  summary: {
    sandboxes: number;
    failing: number;
    checks: number;
    failed: number;
    notEnforced: number;
    notApplicable: number;
  };
}

interface Profile {
  name: string;
  version: number | string;
  description?: string;
  runtime?: string;
  network?: string;
  limits: unknown;
  seccomp: { file: string; sha256: string; content: unknown };
  apparmor: { name: string | null; sha256: string | null; content: string | null };
}

interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  target: string;
  requestId: string | null;
  details: unknown;
  createdAt: string;
}

const LOG_ROWS = 200;

const LABEL: Record<CheckStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_enforced: 'NOT ENFORCED',
  not_applicable: 'n/a',
};

/** Security teams: the isolation audit of every sandbox, the hardening profiles' contents, the audit log. */
export async function securityPage({ api, root }: PageContext): Promise<void> {
  const audit = el('div', {}, 'Auditing the sandboxes…');
  const profiles = el('div', {}, 'Loading…');
  const log = el('div', {}, 'Loading…');
  fill(root, el('h1', {}, 'Security'), audit, profiles, log);
  await Promise.all([
    load(audit, () => auditSection(api)),
    load(profiles, () => profileSection(api)),
    load(log, () => logSection(api)),
  ]);
}

async function load(target: HTMLElement, build: () => Promise<HTMLElement>): Promise<void> {
  try {
    fill(target, await build());
  } catch (err) {
    fill(target, el('p', { class: 'error' }, describeError(err)));
  }
}

function checkTable(checks: Check[], testId: string): HTMLElement {
  return table(
    [
      { title: 'result', cell: (c) => badge(LABEL[c.status], c.status) },
      { title: 'check', cell: (c) => c.title },
      { title: 'CIS', cell: (c) => c.cis ?? '' },
      { title: 'source', cell: (c) => c.source },
      { title: 'expected', cell: (c) => c.expected },
      { title: 'actual / reason', cell: (c) => c.actual },
    ],
    checks,
    { testId },
  );
}

async function auditSection(api: Api): Promise<HTMLElement> {
  const report = await api.get<AuditReport>('/api/audit/sandboxes');
  const { summary, host } = report;
  const findings = report.posture?.findings ?? [];
  return section(
    `Isolation audit (node ${report.node}, ${time(report.generatedAt)})`,
    el(
      'p',
      { class: 'meta', 'data-testid': 'audit-summary' },
      `${summary.sandboxes} sandboxes, ${summary.failing} failing; ${summary.checks} checks: ${summary.failed} failed, ${summary.notEnforced} not enforced, ${summary.notApplicable} not applicable.`,
    ),
    el(
      'p',
      { class: 'meta' },
      `Engine ${host.engine.version} on ${host.engine.operatingSystem}, kernel ${host.engine.kernel}, cgroup v${host.engine.cgroupVersion}, LSMs: ${host.lsms?.join(', ') ?? 'unknown'}.`,
    ),
    el(
      'details',
      {},
      el('summary', {}, `Host checks (${host.checks.length})`),
      checkTable(host.checks, 'host-checks'),
    ),
    findings.length === 0
      ? el('p', { class: 'meta' }, 'No known advisory applies to this runtime.')
      : el(
          'details',
          { open: true },
          el('summary', {}, `Security posture findings (${findings.length})`),
          table(
            [
              { title: 'CVE', cell: (f) => f.cve },
              { title: 'component', cell: (f) => f.component },
              { title: 'installed', cell: (f) => f.installed },
              { title: 'severity', cell: (f) => badge(f.severity, 'fail') },
              { title: 'why', cell: (f) => f.reason ?? '' },
            ],
            findings,
            { testId: 'posture' },
          ),
        ),
    ...(report.sandboxes.length === 0
      ? [el('p', { class: 'empty', 'data-testid': 'audit-sandboxes' }, 'No live sandboxes on this node.')]
      : report.sandboxes.map((s) =>
          el(
            'details',
            { class: 'sandbox-audit', open: !s.passed, 'data-testid': `audit-${s.sandboxId}` },
            el(
              'summary',
              {},
              badge(s.passed ? 'PASS' : 'FAIL', s.passed ? 'pass' : 'fail'),
              ` ${s.sandboxId} (${s.state}, profile ${s.profile ?? '—'}, tenant ${s.tenantId ?? '—'})`,
            ),
            checkTable(s.checks, `checks-${s.sandboxId}`),
          ),
        )),
  );
}

async function profileSection(api: Api): Promise<HTMLElement> {
  const page = await api.get<ListPage<Profile>>('/api/audit/profiles');
  return section(
    'Hardening profiles',
    ...page.items.map((p) =>
      el(
        'details',
        { class: 'profile', 'data-testid': `profile-${p.name}` },
        el('summary', {}, `${p.name} v${p.version}`, p.description ? ` — ${p.description}` : ''),
        el(
          'dl',
          {},
          el('dt', {}, 'runtime'),
          el('dd', {}, p.runtime ?? '—'),
          el('dt', {}, 'network'),
          el('dd', {}, p.network ?? '—'),
          el('dt', {}, 'limits'),
          el('dd', {}, el('code', {}, JSON.stringify(p.limits))),
          el('dt', {}, 'seccomp'),
          el('dd', {}, `${p.seccomp.file} (sha256 ${p.seccomp.sha256})`),
          el('dt', {}, 'AppArmor'),
          el('dd', {}, `${p.apparmor.name ?? '—'} (sha256 ${p.apparmor.sha256 ?? '—'})`),
        ),
        el(
          'details',
          {},
          el('summary', {}, 'seccomp profile'),
          el('pre', {}, JSON.stringify(p.seccomp.content, null, 2)),
        ),
        el('details', {}, el('summary', {}, 'AppArmor profile'), el('pre', {}, p.apparmor.content ?? '—')),
      ),
    ),
  );
}

async function logSection(api: Api): Promise<HTMLElement> {
  const entries = await newestFirst<AuditEntry>(api, '/api/audit/log');
  return section(
    'Audit log (newest first)',
    table(
      [
        { title: 'when', cell: (e) => time(e.createdAt) },
        { title: 'actor', cell: (e) => e.actor },
        { title: 'action', cell: (e) => e.action },
        { title: 'target', cell: (e) => e.target },
        { title: 'request', cell: (e) => e.requestId ?? '' },
        {
          title: 'details',
          cell: (e) =>
            e.details === null || e.details === undefined
              ? ''
              : el(
                  'details',
                  {},
                  el('summary', {}, 'show'),
                  el('pre', {}, JSON.stringify(e.details, null, 2)),
                ),
        },
      ],
      entries.slice(0, LOG_ROWS),
      { testId: 'audit-log', empty: 'No admin actions recorded.' },
    ),
  );
}
