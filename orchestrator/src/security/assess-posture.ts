import type { Advisory, AdvisoryTable, Component } from './advisory-table.js';
import { COMPONENTS } from './advisory-table.js';
import {
  compareDebian,
  compareUpstream,
  debianBuild,
  parseDebian,
  parseUpstream,
  releaseLine,
  type UpstreamVersion,
} from './component-version.js';
import type { ComponentVersion, ComponentVersions } from './version-source.js';

/** One advisory that applies to what this host runs. */
export interface PostureFinding {
  cve: string;
  component: Component;
  severity: Advisory['severity'];
  /** The version as reported, with the Debian build where one was reported. */
  installed: string;
  summary: string;
  /** Why it applies: which fixed versions and builds were compared. */
  reason: string;
  fixed: string[];
  mitigations: Advisory['mitigations'];
  mitigationNote: string;
  sources: string[];
}

export interface PostureAssessment {
  tableVersion: number;
  tableReviewed: string;
  versions: ComponentVersions;
  findings: PostureFinding[];
  /** Components whose version was missing or did not parse: never reported as safe. */
  unverified: string[];
}

/** Checks every advisory against the reported versions; pure, so the gate, health and audit agree. */
export function assessPosture(table: AdvisoryTable, versions: ComponentVersions): PostureAssessment {
  const findings: PostureFinding[] = [];
  const unverified: string[] = [];
  for (const component of COMPONENTS) {
    const reported = versions[component];
    const advisories = table.advisories.filter((a) => a.component === component);
    if (advisories.length === 0) continue;
    const upstream = reported ? parseUpstream(reported.version) : undefined;
    if (!reported || !upstream) {
      unverified.push(
        `${component}: ${reported ? `version "${reported.version}" does not parse` : 'version not reported'}; ${advisories.length} advisor${advisories.length === 1 ? 'y' : 'ies'} not checked`,
      );
      continue;
    }
    for (const advisory of advisories) {
      const reason = affectedReason(advisory, reported, upstream);
      if (reason === undefined) continue;
      findings.push({
        cve: advisory.id,
        component,
        severity: advisory.severity,
        installed: installedText(reported),
        summary: advisory.summary,
        reason,
        fixed: advisory.fixed,
        mitigations: advisory.mitigations,
        mitigationNote: advisory.mitigationNote,
        sources: advisory.sources,
      });
    }
  }
  return { tableVersion: table.version, tableReviewed: table.reviewed, versions, findings, unverified };
}

function installedText(v: ComponentVersion): string {
  return v.gitCommit && v.gitCommit !== v.version ? `${v.version} (${v.gitCommit})` : v.version;
}

/** Undefined when the version is outside the affected range, carries an upstream fix, or a known-fixed build. */
function affectedReason(
  advisory: Advisory,
  reported: ComponentVersion,
  upstream: UpstreamVersion,
): string | undefined {
  if (advisory.introduced) {
    const introduced = parseUpstream(advisory.introduced);
    if (introduced && compareUpstream(upstream, introduced) < 0) return undefined;
  }
  const fixed = advisory.fixed
    .flatMap((text) => {
      const v = parseUpstream(text);
      return v ? [{ text, v }] : [];
    })
    .sort((a, b) => compareUpstream(a.v, b.v));
  const sameLine = fixed.find((f) => releaseLine(f.v) === releaseLine(upstream));
  const newest = fixed.at(-1);
  const floor = sameLine ?? newest;
  if (floor && compareUpstream(upstream, floor.v) >= 0) return undefined;
  const build = debianBuild(reported.version, reported.gitCommit);
  const carried = build
    ? advisory.distributionFixes.find((d) => {
        const fix = parseDebian(d.version);
        return fix !== undefined && fix.upstream === build.upstream && compareDebian(build, fix) >= 0;
      })
    : undefined;
  if (carried) return undefined;
  const upstreamWhy = sameLine
    ? `${reported.version} is older than ${sameLine.text}, the fix on its release line`
    : `no fix was released on the ${releaseLine(upstream)} line (fixed in ${advisory.fixed.join(', ')})`;
  const buildWhy = build
    ? advisory.distributionFixes.length > 0
      ? `; Debian build ${reported.gitCommit} is not one known to carry the fix (${advisory.distributionFixes.map((d) => d.version).join(', ')})`
      : `; no Debian build is known to carry the fix (${reported.gitCommit} checked)`
    : '';
  return `${upstreamWhy}${buildWhy}`;
}
