import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The packed tarball, installed for real with `npm install -g` into a temporary prefix (one install for the
 * whole file): the bundled runner comes along, and the installed `agentd` names our version and commit.
 */
describe('agentd installed from the packed tarball', () => {
  let dir = '';
  let agentd = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-install-'));
    const { stdout } = await run('bash', [path.join(REPO, 'scripts/pack.sh'), dir]);
    const tarball = stdout.trim();
    const prefix = path.join(dir, 'prefix');
    await run(
      'npm',
      ['install', '--global', tarball, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    agentd = path.join(prefix, 'bin', 'agentd');
  }, 600_000);
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('prints the version and the commit it was packed from', async () => {
    const { stdout: commit } = await run('git', ['-C', REPO, 'rev-parse', '--short=12', 'HEAD']);
    const { stdout } = await run(agentd, ['--version']);
    expect(stdout.trim()).toBe(`agentd 0.1.0 (commit ${commit.trim()})`);
  });

  it('carries the runner package, which the public registry does not have', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const p = await import('@agentd/sandbox-runner/protocol'); console.log(typeof p);",
      ],
      { cwd: path.join(dir, 'prefix', 'lib', 'node_modules', '@agentd', 'agentd') },
    );
    expect(stdout.trim()).toBe('object');
  });

  it('completes its own commands in bash', async () => {
    const script = `source <("${agentd}" completion bash)
COMP_WORDS=(agentd image bu); COMP_CWORD=2; _agentd; echo "\${COMPREPLY[@]}"`;
    const { stdout } = await run('bash', ['--norc', '-c', script]);
    expect(stdout.trim()).toBe('build');
  });
});

/** The set-up's `agentd` on PATH: a wrapper that runs this checkout's CLI on Node 22 whatever node PATH has. */
describe('scripts/link-cli.sh', () => {
  it('puts an agentd on PATH that runs this checkout with Node 22, even when PATH has no node', async () => {
    const binDir = await mkdtemp(path.join(tmpdir(), 'agentd-bin-'));
    try {
      const { stdout } = await run('bash', [path.join(REPO, 'scripts/link-cli.sh')], {
        env: { ...process.env, AGENTD_BIN_DIR: binDir },
      });
      expect(stdout.trim()).toBe(binDir);
      const { stdout: commit } = await run('git', ['-C', REPO, 'rev-parse', '--short=12', 'HEAD']);
      const { stdout: version } = await run('sh', ['-c', 'cd / && agentd --version'], {
        env: { PATH: `${binDir}:/usr/bin:/bin` },
      });
      expect(version.trim()).toBe(`agentd 0.1.0 (commit ${commit.trim()})`);
    } finally {
      await rm(binDir, { recursive: true, force: true });
    }
  });
});
