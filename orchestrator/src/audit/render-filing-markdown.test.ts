import { describe, expect, it } from 'vitest';
import { buildAuditFiling } from './audit-filing.js';
import { renderFilingMarkdown } from './render-filing-markdown.js';
import { cell } from './render-markdown.js';
import { HOSTILE, SAMPLE_PROFILES, sampleAuditReport } from './sample-audit-report.fixture.js';

const filing = buildAuditFiling(sampleAuditReport(), SAMPLE_PROFILES, '0.1.0');
const markdown = renderFilingMarkdown(filing);

/** Pipes that end a table cell (an escaped `\|` is text). */
const cellBreaks = (line: string) => line.replace(/\\./g, '').split('|').length - 1;

describe('renderFilingMarkdown', () => {
  it('keeps a hostile string as text: no HTML, link, heading or broken table row', () => {
    expect(markdown).not.toMatch(/(^|[^\\])<(script|img|\/td)/);
    expect(markdown).not.toMatch(/(^|[^\\])\[x\]\(/);
    expect(markdown.split('\n').filter((l) => l.startsWith('# '))).toEqual([`# ${cell(filing.title)}`]);
    const row = markdown
      .split('\n')
      .find((l) => l.startsWith('| Read-only root filesystem') && l.includes('script'));
    expect(row).toBeDefined();
    expect(cellBreaks(row ?? '')).toBe(7);
    expect(row).toContain(cell(HOSTILE));
  });

  it('is dated and has every check, the host facts, profiles, counts by result and a sign-off block', () => {
    expect(markdown).toContain('Generated 2026-12-06T17:30:00.000Z by agentd 0.1.0');
    expect(markdown).toContain(`Evidence SHA-256 \`${filing.evidenceSha256}\``);
    const { all } = filing.counts;
    expect(markdown).toContain(
      `| all | ${all.pass} | ${all.fail} | ${all.not_enforced} | ${all.not_applicable} |`,
    );
    expect(markdown).toContain('- runc 1.1.5+ds1 (1.1.5+ds1-1+deb12u1)');
    expect(markdown).toContain('- LSMs: lockdown, capability, landlock, bpf');
    expect(markdown).toContain('## Hardening profiles');
    expect(markdown).toContain('## Sandbox weak0001 — **FAILS**');
    const rows = markdown
      .split('\n')
      .filter((l) => /^\| .* \| (engine|host|runner) \| (PASS|\*\*FAIL\*\*|n\/a|NOT ENFORCED) \|/.test(l));
    expect(rows.length).toBe(all.pass + all.fail + all.not_enforced + all.not_applicable);
    for (const field of ['Reviewer', 'Role', 'Decision', 'Date', 'Signature'])
      expect(markdown).toMatch(new RegExp(`^\\| ${field} \\|`, 'm'));
  });
});
