import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuditFiling } from './audit-filing.js';
import { AUDIT_HTML_CSP, escapeHtml, renderAuditHtml } from './render-html.js';
import { HOSTILE, SAMPLE_PROFILES, sampleAuditReport } from './sample-audit-report.fixture.js';

const filing = buildAuditFiling(sampleAuditReport(), SAMPLE_PROFILES, '0.1.0');
const html = renderAuditHtml(filing);

/** The only elements the renderer writes: anything else in the page came from data. */
const OWN_TAGS = new Set(
  'html head meta title style body h1 h2 h3 p table thead tbody tr th td code br span ul li'.split(' '),
);

describe('renderAuditHtml', () => {
  it('keeps a hostile string from a sandbox as text: no element, attribute or link of its own', () => {
    const elements = [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)];
    expect(elements.map((m) => m[1]?.toLowerCase() ?? '').filter((t) => !OWN_TAGS.has(t))).toEqual([]);
    const attributes = elements.flatMap((m) => [...(m[2] ?? '').matchAll(/([a-zA-Z-]+)=/g)].map((a) => a[1]));
    expect(new Set(attributes)).toEqual(new Set(['lang', 'charset', 'http-equiv', 'content', 'class']));
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows every check with its evidence, for the host and every sandbox', () => {
    const checks = [...filing.report.host.checks, ...filing.report.sandboxes.flatMap((s) => s.checks)];
    for (const c of checks) {
      expect(html).toContain(`<code>${escapeHtml(c.id)}</code>`);
      expect(html).toContain(escapeHtml(c.actual));
    }
    expect(html.match(/class="fail">FAIL</g)?.length).toBe(filing.counts.all.fail);
    expect(html).toContain('class="not_enforced">NOT ENFORCED<');
  });

  it('is dated and carries host facts, posture findings, profiles, counts and a sign-off block', () => {
    expect(html).toContain('Generated 2026-12-06T17:30:00.000Z by agentd 0.1.0');
    expect(html).toContain(filing.evidenceSha256);
    for (const fact of [
      '20.10.24+dfsg1',
      '1.6.20~ds1 (1.6.20~ds1-1+b1)',
      '1.1.5+ds1 (1.1.5+ds1-1+deb12u1)',
      '6.18.0',
    ])
      expect(html).toContain(escapeHtml(fact));
    expect(html).toContain('lockdown, capability, landlock, bpf');
    expect(html).toContain('CVE-2025-31133');
    expect(html).toContain('sha256 ' + 'a'.repeat(64));
    const { pass, fail } = filing.counts.all;
    expect(html).toMatch(
      new RegExp(`<th>all</th><td class="pass">${pass}</td><td class="fail">${fail}</td>`),
    );
    expect(html).toContain('<h2>Sign-off</h2>');
    for (const field of ['Reviewer', 'Role', 'Decision', 'Date', 'Signature'])
      expect(html).toContain(`<th>${field}</th>`);
  });

  it('allows its own stylesheet and nothing else, in the document as in the header', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(AUDIT_HTML_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(AUDIT_HTML_CSP).toMatch(/^default-src 'none'/);
    expect(AUDIT_HTML_CSP).not.toMatch(/script-src|unsafe/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(AUDIT_HTML_CSP.replace("; frame-ancestors 'none'", ''))}">`,
    );
  });
});
