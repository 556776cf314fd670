import { describe, expect, it } from 'vitest';
import { ADVISORIES } from './advisories.js';
import { advisoryTableIssues, COMPONENTS, MITIGATIONS, validateAdvisoryTable } from './advisory-table.js';
import { assessPosture } from './assess-posture.js';
import {
  compareDebian,
  compareUpstream,
  debianBuild,
  parseDebian,
  parseUpstream,
} from './component-version.js';
import type { ComponentVersions } from './version-source.js';

const up = (v: string) => {
  const parsed = parseUpstream(v);
  if (!parsed) throw new Error(`does not parse: ${v}`);
  return parsed;
};
const deb = (v: string) => {
  const parsed = parseDebian(v);
  if (!parsed) throw new Error(`does not parse: ${v}`);
  return parsed;
};

/** What this machine's engine reports (docker version, Components), 2026-11-29. */
const THIS_HOST: ComponentVersions = {
  engine: { version: '20.10.24+dfsg1', gitCommit: '5d6db84' },
  containerd: { version: '1.6.20~ds1', gitCommit: '1.6.20~ds1-1+deb12u3' },
  runc: { version: '1.1.5+ds1', gitCommit: '1.1.5+ds1-1+deb12u1' },
  kernel: { version: '6.18.44-fc-v657' },
};

describe('the advisory table', () => {
  it('parses: schema, unique ids, every version and Debian build', () => {
    expect(advisoryTableIssues(ADVISORIES)).toEqual([]);
    expect(() => validateAdvisoryTable(ADVISORIES)).not.toThrow();
  });

  it('covers the runc escapes the design names', () => {
    const ids = ADVISORIES.advisories.map((a) => a.id);
    for (const id of [
      'CVE-2019-5736',
      'CVE-2024-21626',
      'CVE-2024-45310',
      'CVE-2025-31133',
      'CVE-2025-52565',
      'CVE-2025-52881',
    ])
      expect(ids).toContain(id);
    for (const a of ADVISORIES.advisories) {
      expect(COMPONENTS).toContain(a.component);
      for (const m of a.mitigations) expect(MITIGATIONS).toContain(m);
    }
  });

  it('refuses a broken entry with every problem named', () => {
    const first = ADVISORIES.advisories[0];
    if (!first) throw new Error('empty table');
    const badComponent = { ...ADVISORIES, advisories: [{ ...first, component: 'kata' }] };
    expect(advisoryTableIssues(badComponent).join('\n')).toContain('/advisories/0/component');
    const noRevision = {
      ...ADVISORIES,
      advisories: [
        {
          ...first,
          distributionFixes: [{ distribution: 'debian', release: 'x', version: '1.0', source: 's' }],
        },
      ],
    };
    expect(advisoryTableIssues(noRevision)).toEqual([
      '/advisories/0 (CVE-2019-5736): "1.0" is not a Debian package version with a revision',
    ]);
    const partlyBroken = { ...ADVISORIES, advisories: [{ ...first, fixed: ['next-week'] }, first] };
    expect(advisoryTableIssues(partlyBroken)).toEqual([
      '/advisories/0 (CVE-2019-5736): version "next-week" does not parse',
      '/advisories/1 (CVE-2019-5736): duplicate id',
    ]);
  });
});

describe('version comparison', () => {
  it.each([
    ['1.1.5', '1.1.12', -1],
    ['1.1.12', '1.1.12', 0],
    ['1.1.14', '1.1.12', 1],
    ['1.2.0-rc.3', '1.2.0', -1],
    ['1.2.0-rc.2', '1.2.0-rc.3', -1],
    ['1.0.0-rc6', '1.0.0-rc7', -1],
    ['1.0.0-rc92', '1.0.0-rc93', -1],
    ['1.1.5+ds1', '1.1.5', 0],
    ['1.6.20~ds1', '1.6.20', 0],
    ['20.10.24+dfsg1', '20.10.25', -1],
    ['6.18.44-fc-v657', '6.18.44', 0],
    ['v1.3.3', '1.3.2', 1],
    ['1.10.0', '1.9.9', 1],
  ] as const)('upstream %s vs %s → %i', (a, b, expected) => {
    expect(compareUpstream(up(a), up(b))).toBe(expected);
  });

  it.each([
    ['1.1.5+ds1-1+deb12u1', '1.1.5+ds1-1', 1],
    ['1.1.5+ds1-1+deb12u2', '1.1.5+ds1-1+deb12u1', 1],
    ['1.1.5+ds1-1+deb12u10', '1.1.5+ds1-1+deb12u9', 1],
    ['1.6.20~ds1-1+deb12u3', '1.6.20~ds1-1+deb12u2', 1],
    ['1.6.20~ds1-1', '1.6.20-1', -1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1:0.9-1', '2.0-1', 1],
    ['1.1.5+ds1-1+deb12u1', '1.1.5+ds1-1+deb12u1', 0],
    ['1.2a-1', '1.2+-1', -1],
  ] as const)('Debian %s vs %s → %i', (a, b, expected) => {
    expect(Math.sign(compareDebian(deb(a), deb(b)))).toBe(expected);
  });

  it('finds the Debian build in GitCommit, and nothing in a git hash', () => {
    expect(debianBuild('1.1.5+ds1', '1.1.5+ds1-1+deb12u1')).toEqual({
      epoch: 0,
      upstream: '1.1.5+ds1',
      revision: '1+deb12u1',
    });
    expect(debianBuild('20.10.24+dfsg1', '5d6db84')).toBeUndefined();
    expect(debianBuild('1.1.12', 'v1.1.12-0-g51d5e946')).toBeUndefined();
    expect(debianBuild('1.1.12', undefined)).toBeUndefined();
  });
});

describe('assessPosture', () => {
  const assess = (versions: ComponentVersions) => assessPosture(ADVISORIES, versions);
  const cves = (versions: ComponentVersions) =>
    assess(versions)
      .findings.map((f) => f.cve)
      .sort();

  it("on this machine's versions: the four runc CVEs the Debian build lacks, nothing for containerd", () => {
    const result = assess(THIS_HOST);
    expect(result.findings.map((f) => f.cve).sort()).toEqual([
      'CVE-2024-45310',
      'CVE-2025-31133',
      'CVE-2025-52565',
      'CVE-2025-52881',
    ]);
    expect(result.unverified).toEqual([]);
    const f = result.findings.find((x) => x.cve === 'CVE-2025-31133');
    expect(f?.installed).toBe('1.1.5+ds1 (1.1.5+ds1-1+deb12u1)');
    expect(f?.reason).toContain('no fix was released on the 1.1 line');
  });

  it('recognises the Debian backport of CVE-2024-21626 only in the build that carries it', () => {
    const unpatched = { runc: { version: '1.1.5+ds1', gitCommit: '1.1.5+ds1-1' } };
    expect(cves(unpatched)).toContain('CVE-2024-21626');
    expect(cves(THIS_HOST)).not.toContain('CVE-2024-21626');
    // A later Debian revision of the same upstream version keeps the fix.
    expect(cves({ runc: { version: '1.1.5+ds1', gitCommit: '1.1.5+ds1-1+deb12u2' } })).not.toContain(
      'CVE-2024-21626',
    );
    // Without a Debian build in GitCommit, upstream 1.1.5 is affected.
    expect(cves({ runc: { version: '1.1.5', gitCommit: 'v1.1.5-0-gf19387a' } })).toContain('CVE-2024-21626');
    // containerd's deb12u2 carries both containerd fixes; deb12u1 does not.
    expect(cves({ containerd: { version: '1.6.20~ds1', gitCommit: '1.6.20~ds1-1+deb12u1' } })).toEqual([
      'CVE-2024-25621',
      'CVE-2024-40635',
    ]);
  });

  it('uses the fix on the installed release line, and treats a line with none as affected', () => {
    expect(cves({ runc: { version: '1.1.14' } })).toEqual([
      'CVE-2025-31133',
      'CVE-2025-52565',
      'CVE-2025-52881',
    ]);
    expect(cves({ runc: { version: '1.2.8' } })).toEqual([]);
    expect(cves({ runc: { version: '1.2.7' } })).toEqual([
      'CVE-2025-31133',
      'CVE-2025-52565',
      'CVE-2025-52881',
    ]);
    expect(cves({ runc: { version: '1.3.3' } })).toEqual([]);
    expect(cves({ runc: { version: '1.4.0-rc.2' } })).toHaveLength(3);
    expect(cves({ runc: { version: '1.4.0' } })).toEqual([]);
    expect(cves({ runc: { version: '1.0.0-rc6' } })).toContain('CVE-2019-5736');
    // Older than the flaw: CVE-2024-21626 came with 1.0.0-rc93.
    expect(cves({ runc: { version: '1.0.0-rc92' } })).not.toContain('CVE-2024-21626');
  });

  it('never passes a component it could not read', () => {
    const result = assess({ runc: { version: 'unknown' } });
    expect(result.findings).toEqual([]);
    expect(result.unverified).toEqual([
      'containerd: version not reported; 2 advisories not checked',
      'runc: version "unknown" does not parse; 6 advisories not checked',
    ]);
  });
});
