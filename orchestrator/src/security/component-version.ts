/**
 * Version arithmetic for the posture check: upstream versions (semver-ish: `1.1.5`, `1.2.0-rc.3`,
 * `1.0.0-rc6`, `6.18.44-fc-v657`, with distribution decorations such as `+ds1`, `~ds1`, `+dfsg1` dropped)
 * and Debian package versions (`1.1.5+ds1-1+deb12u1`, compared the way dpkg does).
 */

export interface UpstreamVersion {
  /** Numeric release parts, e.g. [1, 2, 8]. */
  release: number[];
  /** Pre-release parts, e.g. ['rc', 3]; empty for a final release. */
  prerelease: (string | number)[];
}

const PRERELEASE = /^[-~.]?((?:alpha|beta|rc|pre)[.-]?\d*)/i;

/** Parses the upstream part of a version; undefined when it does not start with a number. */
export function parseUpstream(text: string): UpstreamVersion | undefined {
  const match = /^v?(\d+(?:\.\d+)*)(.*)$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  const release = match[1].split('.').map(Number);
  // Only a recognised pre-release tag counts; anything else after the numbers (a kernel's local suffix,
  // a packager's `+ds1`) is decoration that says nothing about which fixes are in.
  const pre = PRERELEASE.exec(match[2] ?? '')?.[1];
  const prerelease = pre
    ? (pre.match(/[a-z]+|\d+/gi) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p.toLowerCase()))
    : [];
  return { release, prerelease };
}

export function compareUpstream(a: UpstreamVersion, b: UpstreamVersion): number {
  const length = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  // A final release sorts after every pre-release of the same numbers.
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** The release line a fix lands on: major.minor (runc 1.1.x, containerd 1.6.x, kernel 6.1.x). */
export function releaseLine(v: UpstreamVersion): string {
  return `${v.release[0] ?? 0}.${v.release[1] ?? 0}`;
}

/** A Debian package version: `[epoch:]upstream[-revision]`. */
export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const DEBIAN_VERSION = /^(?:(\d+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

export function parseDebian(text: string): DebianVersion | undefined {
  const match = DEBIAN_VERSION.exec(text.trim());
  if (!match?.[2]) return undefined;
  return { epoch: Number(match[1] ?? 0), upstream: match[2], revision: match[3] ?? '0' };
}

/** dpkg's ordering: `~` before everything (even the end), letters before other symbols, digit runs numerically. */
export function compareDebian(a: DebianVersion, b: DebianVersion): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  return compareDebianPart(a.upstream, b.upstream) || compareDebianPart(a.revision, b.revision);
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(i < a.length && !isDigit(a[i]) ? a[i] : undefined);
      const bc = order(j < b.length && !isDigit(b[j]) ? b[j] : undefined);
      if (ac !== bc) return Math.sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      firstDiff ||= a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return Math.sign(firstDiff);
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * A Debian build's package version where a component reports one: Debian's runc and containerd put it in
 * `GitCommit` (`1.1.5+ds1-1+deb12u1`) and only the upstream part in `Version` (`1.1.5+ds1`).
 */
export function debianBuild(version: string, gitCommit: string | undefined): DebianVersion | undefined {
  if (!gitCommit || !gitCommit.startsWith(version) || gitCommit === version) return undefined;
  const parsed = parseDebian(gitCommit);
  return parsed && parsed.revision !== '0' ? parsed : undefined;
}
