import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** orchestrator/{src,dist}/cli → the orchestrator package, and the checkout (or unpacked tarball) above it. */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT_DIR = path.dirname(PACKAGE_DIR);

export interface BuildInfo {
  version: string;
  /** Short commit hash, `unknown` when neither a packed build record nor git can tell. */
  commit: string;
}

/**
 * The version from package.json; the commit from `build-info.json` (written when a tarball is packed, since an
 * installed copy has no git history) or else from the checkout's git.
 */
export function buildInfo(root = ROOT_DIR, packageDir = PACKAGE_DIR): BuildInfo {
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { version, commit: packedCommit(root) ?? gitCommit(root) ?? 'unknown' };
}

export function versionLine(info: BuildInfo): string {
  return `agentd ${info.version} (commit ${info.commit})`;
}

function packedCommit(root: string): string | undefined {
  try {
    const { commit } = JSON.parse(readFileSync(path.join(root, 'build-info.json'), 'utf8')) as {
      commit?: unknown;
    };
    return typeof commit === 'string' && commit !== '' ? commit : undefined;
  } catch {
    return undefined;
  }
}

function gitCommit(root: string): string | undefined {
  try {
    const out = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return /^[0-9a-f]{7,40}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}
