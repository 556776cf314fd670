import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuditFiling, type ProfileEvidence } from './audit-filing.js';
import { renderAuditReport } from './report-format.js';
import { SAMPLE_PROFILES, sampleAuditReport } from './sample-audit-report.fixture.js';

describe('buildAuditFiling', () => {
  const filing = buildAuditFiling(sampleAuditReport(), SAMPLE_PROFILES, '0.1.0');

  it('counts every check by result, and the counts add up to the audit’s own summary', () => {
    const { all } = filing.counts;
    const { summary } = filing.report;
    expect(all.pass + all.fail + all.not_enforced + all.not_applicable).toBe(summary.checks);
    expect(all.fail).toBe(summary.failed);
    expect(all.not_enforced).toBe(summary.notEnforced);
    expect(filing.counts.sandboxes).toEqual({ total: 2, passing: 1, failing: 1 });
    expect(filing.counts.postureFindings).toBeGreaterThan(0);
  });

  it('serves JSON whose evidence digest a reviewer can recompute', () => {
    const rendered = renderAuditReport(filing, 'json');
    expect(rendered.contentType).toBe('application/json; charset=utf-8');
    const parsed = JSON.parse(rendered.body) as {
      report: unknown;
      profiles: unknown;
      evidenceSha256: string;
    };
    const digest = createHash('sha256')
      .update(JSON.stringify({ report: parsed.report, profiles: parsed.profiles }))
      .digest('hex');
    expect(parsed.evidenceSha256).toBe(digest);
    expect(
      buildAuditFiling({ ...sampleAuditReport(), node: 'other' }, SAMPLE_PROFILES, '0.1.0').evidenceSha256,
    ).not.toBe(digest);
  });

  it('keeps only the reviewed fields of a profile (not the profile texts themselves)', () => {
    const standard = SAMPLE_PROFILES[0] as ProfileEvidence;
    const withText = [{ ...standard, seccompJson: '{}' }];
    expect(
      Object.keys(buildAuditFiling(sampleAuditReport(), withText, '0.1.0').profiles[0] ?? {}),
    ).not.toContain('seccompJson');
  });

  it('names the right media type for each format', () => {
    expect(renderAuditReport(filing, 'html').contentType).toBe('text/html; charset=utf-8');
    expect(renderAuditReport(filing, 'markdown').contentType).toBe('text/markdown; charset=utf-8');
    expect(renderAuditReport(filing, 'sarif').contentType).toBe('application/sarif+json; charset=utf-8');
    expect(renderAuditReport(filing, 'html').contentSecurityPolicy).toMatch(/^default-src 'none'/);
  });
});
