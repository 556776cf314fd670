import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROFILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../deployment/apparmor/agentd-sandbox',
);

/**
 * This kernel has no AppArmor, so the profile can only be checked offline (`apparmor_parser -Q -K`): parsed and
 * compiled, never loaded or enforced. `.ci/run` installs the parser (Debian package apparmor).
 */
describe('AppArmor profile deployment/apparmor/agentd-sandbox', () => {
  it('is accepted by apparmor_parser -Q -K', async () => {
    const { stderr } = await run('apparmor_parser', ['-Q', '-K', PROFILE]);
    // The only notice allowed is the one about the kernel lacking AppArmor's cache interface.
    expect(
      stderr.split('\n').filter((l) => l.trim() !== '' && !/Cache read\/write disabled/.test(l)),
    ).toEqual([]);
  });

  it('is rejected once broken (the check can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-aa-'));
    try {
      const broken = (await readFile(PROFILE, 'utf8')).replace('deny mount,', 'deny mount, frobnicate /x,');
      await writeFile(path.join(dir, 'broken'), broken);
      await expect(run('apparmor_parser', ['-Q', '-K', path.join(dir, 'broken')])).rejects.toMatchObject({
        code: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('denies what the hardening contract (docs/architecture.md) says it denies', async () => {
    const text = await readFile(PROFILE, 'utf8');
    expect(text).toMatch(/^#include <tunables\/global>/m);
    expect(text).toMatch(/^profile agentd-sandbox /m);
    for (const rule of [
      'deny mount,',
      'deny umount,',
      'deny pivot_root,',
      'deny network packet,',
      'deny network inet raw,',
      'deny network inet6 raw,',
    ]) {
      expect(text).toContain(rule);
    }
    expect(text).toMatch(/deny ptrace \(trace, ?tracedby\)/);
    expect(text).toMatch(/deny @\{PROC\}\/sys\/\*\* w/);
    expect(text).toMatch(/deny \/sys\/\*\* w/);
  });
});
