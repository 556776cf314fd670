import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfiles } from './profile-loader.js';

const deployment = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deployment');
const real = {
  profilesDir: path.join(deployment, 'profiles'),
  seccompDir: path.join(deployment, 'seccomp'),
  apparmorDir: path.join(deployment, 'apparmor'),
};

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

describe('loadProfiles', () => {
  it('loads the shipped profiles with their seccomp and AppArmor contents and hashes', async () => {
    const profiles = await loadProfiles(real);
    const standard = profiles.get('standard');
    expect(standard).toBeDefined();
    expect(standard?.runtime).toBe('runc');
    expect(JSON.parse(standard?.seccompJson ?? '{}')).toHaveProperty('defaultAction', 'SCMP_ACT_ERRNO');
    expect(standard?.seccompSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(standard?.apparmorText).toContain('profile agentd-sandbox');
  });

  it('reports every problem of every file at once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-profiles-'));
    dirs.push(dir);
    await mkdir(path.join(dir, 'profiles'));
    const bad = {
      name: 'other',
      version: 0,
      description: 'x',
      runtime: 'crun',
      seccompProfile: 'missing.json',
      apparmorProfile: 'agentd-sandbox',
      network: 'bridge',
      tmpExec: false,
      limits: {
        memoryBytes: 1,
        nanoCpus: 1e9,
        pidsLimit: 64,
        workspaceBytes: 1,
        tmpBytes: 1,
        shmBytes: 1,
        nofile: 64,
        nproc: 64,
        fsizeBytes: 1,
      },
      log: { maxSize: '10m', maxFile: 3 },
      stopTimeoutSeconds: 5,
      privileged: true,
    };
    await writeFile(path.join(dir, 'profiles', 'bad.json'), JSON.stringify(bad));
    await writeFile(path.join(dir, 'profiles', 'broken.json'), '{ not json');
    const error = await loadProfiles({ ...real, profilesDir: path.join(dir, 'profiles') }).catch(
      (e: unknown) => e,
    );
    const message = (error as Error).message;
    for (const expected of [
      '/version',
      '/runtime',
      '/network',
      '/privileged: unknown property',
      '/limits/memoryBytes',
      'broken.json',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('rejects limits whose tmpfs sizes do not fit in memory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-profiles-'));
    dirs.push(dir);
    const MiB = 1024 * 1024;
    const profile = {
      name: 'tight',
      version: 1,
      description: 'x',
      runtime: 'runc',
      seccompProfile: 'agent-sandbox.json',
      apparmorProfile: 'agentd-sandbox',
      network: 'none',
      tmpExec: false,
      limits: {
        memoryBytes: 256 * MiB,
        nanoCpus: 1e9,
        pidsLimit: 64,
        workspaceBytes: 200 * MiB,
        tmpBytes: 64 * MiB,
        shmBytes: 16 * MiB,
        nofile: 64,
        nproc: 64,
        fsizeBytes: 64 * MiB,
      },
      log: { maxSize: '10m', maxFile: 3 },
      stopTimeoutSeconds: 5,
    };
    await writeFile(path.join(dir, 'tight.json'), JSON.stringify(profile));
    await expect(loadProfiles({ ...real, profilesDir: dir })).rejects.toThrow(/must fit in memoryBytes/);
  });
});
