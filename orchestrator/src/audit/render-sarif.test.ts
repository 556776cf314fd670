import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildAuditFiling } from './audit-filing.js';
import { renderAuditSarif } from './render-sarif.js';
import { HOSTILE, SAMPLE_PROFILES, sampleAuditReport } from './sample-audit-report.fixture.js';

// The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it with its validator (the integration test runs that
// validator too); Ajv checks against it here, formats included.
const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

interface Log {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string } }[];
    properties: Record<string, unknown>;
  }[];
}

const filing = buildAuditFiling(sampleAuditReport(), SAMPLE_PROFILES, '0.1.0');
const text = renderAuditSarif(filing);
const log = JSON.parse(text) as Log;
const run = log.runs[0];

describe('renderAuditSarif', () => {
  it('is valid SARIF 2.1.0', () => {
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('the validator rejects what the schema forbids (so the test above can fail)', () => {
    const broken = JSON.parse(text) as { runs: { results: { level: string }[] }[] };
    const first = broken.runs[0]?.results[0];
    if (first) first.level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('has one rule per check and per advisory, and a result for each FAIL, NOT ENFORCED and finding', () => {
    const checks = [...filing.report.host.checks, ...filing.report.sandboxes.flatMap((s) => s.checks)];
    const cves = filing.report.posture?.findings.map((f) => f.cve) ?? [];
    const ids = run?.tool.driver.rules.map((r) => r.id) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set([...checks.map((c) => c.id), ...cves]));
    const flagged = checks.filter((c) => c.status === 'fail' || c.status === 'not_enforced');
    expect(run?.results.length).toBe(flagged.length + cves.length);
    for (const r of run?.results ?? []) expect(ids[r.ruleIndex]).toBe(r.ruleId);
    expect(run?.results.filter((r) => r.level === 'error' && !r.ruleId.startsWith('CVE-')).length).toBe(
      filing.counts.all.fail,
    );
    expect(cves.length).toBeGreaterThan(0);
  });

  it('carries the host facts and keeps evidence verbatim as JSON text', () => {
    expect(run?.properties).toMatchObject({
      engine: '20.10.24+dfsg1 (API 1.41)',
      runc: '1.1.5+ds1 (1.1.5+ds1-1+deb12u1)',
      kernel: '6.18.0',
      evidenceSha256: filing.evidenceSha256,
    });
    expect(run?.results.some((r) => r.message.text.includes(HOSTILE))).toBe(true);
  });
});
