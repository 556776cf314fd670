import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { SandboxAuthorities } from './sandbox-authorities.js';

const ROOT = '-----BEGIN CERTIFICATE-----\nUk9PVA==\n-----END CERTIFICATE-----';
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup(now: () => Date = () => new Date()) {
  const dir = await mkdtemp(path.join(tmpdir(), 'agentd-sbx-'));
  dirs.push(dir);
  const authorities = new SandboxAuthorities({
    socketDirOf: () => dir,
    roots: () => [ROOT],
    caLifetimeMs: 4 * 3_600_000,
    leafLifetimeMs: 3_600_000,
    logger: createLogger({ level: 'silent', pretty: false }),
    now,
  });
  return { dir, authorities };
}

const RULE = { host: 'api.example.com', headers: { Authorization: 'Bearer ${secret:t}' } };

describe('SandboxAuthorities', () => {
  it('writes the roots plus the sandbox CA, world-readable, and keeps the key in memory only', async () => {
    const { dir, authorities } = await setup();
    expect(await authorities.prepare('s1', [RULE])).toBe('ca-bundle.pem');
    const ca = authorities.authorityFor('s1');
    const bundle = await readFile(path.join(dir, 'ca-bundle.pem'), 'utf8');
    expect(bundle.startsWith(ROOT)).toBe(true);
    expect(bundle).toContain(ca?.certPem.trim());
    expect(bundle).not.toMatch(/PRIVATE KEY/);
    expect((await stat(path.join(dir, 'ca-bundle.pem'))).mode & 0o777).toBe(0o644);
  });

  it('keeps the CA while the hosts stay, remakes it when they change or it nears its end', async () => {
    let now = new Date('2026-11-30T00:00:00Z');
    const { authorities } = await setup(() => now);
    await authorities.prepare('s1', [RULE]);
    const first = authorities.authorityFor('s1');
    await authorities.prepare('s1', [RULE]);
    expect(authorities.authorityFor('s1')).toBe(first);
    now = new Date(now.getTime() + 3.5 * 3_600_000);
    await authorities.prepare('s1', [RULE]);
    const renewed = authorities.authorityFor('s1');
    expect(renewed).not.toBe(first);
    await authorities.prepare('s1', [RULE, { ...RULE, host: 'other.example.com' }]);
    expect(authorities.authorityFor('s1')).not.toBe(renewed);
    expect(authorities.authorityFor('s1')?.hosts).toEqual(['api.example.com', 'other.example.com']);
  });

  it('has no CA for a sandbox without rules (the bundle holds the roots only), nor after forget', async () => {
    const { dir, authorities } = await setup();
    await authorities.prepare('s1', []);
    expect(authorities.authorityFor('s1')).toBeUndefined();
    expect((await readFile(path.join(dir, 'ca-bundle.pem'), 'utf8')).trim()).toBe(ROOT);
    await authorities.prepare('s1', [RULE]);
    authorities.forget('s1');
    expect(authorities.authorityFor('s1')).toBeUndefined();
  });
});
