import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

/** The deployment files are checked by the tools that consume them (none of them can run for real here). */
describe('deployment files', () => {
  it('docker-compose.yml is valid, and only agentd gets the engine socket', async () => {
    const { stdout } = await run('docker-compose', ['-f', path.join(repo, 'docker-compose.yml'), 'config']);
    const services = stdout.split(/\n(?= {2}[a-z-]+:\n)/);
    const withSocket = services
      .filter((s) => s.includes('/var/run/docker.sock'))
      .map((s) => /^\s*([a-z-]+):/m.exec(s)?.[1]);
    expect(withSocket).toEqual(['agentd']);
    for (const name of ['agentd', 'postgres', 'redis', 'minio']) expect(stdout).toContain(`  ${name}:`);
  });

  it('the systemd unit passes systemd-analyze verify and drops every capability', async () => {
    const unit = await readFile(path.join(repo, 'deployment/systemd/agentd.service'), 'utf8');
    expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    // verify needs the referenced files to exist: point them at stand-ins in a scratch copy.
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-unit-'));
    try {
      const copy = unit.replace(
        'EnvironmentFile=/etc/agentd/agentd.env',
        `EnvironmentFile=-${dir}/agentd.env`,
      );
      await writeFile(path.join(dir, 'agentd.service'), copy);
      const { stdout, stderr } = await run('systemd-analyze', ['verify', path.join(dir, 'agentd.service')]);
      expect(
        `${stdout}${stderr}`.split('\n').filter((l) => l.trim() !== '' && !/docker\.service/.test(l)),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('daemon.json turns user-namespace remapping on', async () => {
    const daemon = JSON.parse(
      await readFile(path.join(repo, 'deployment/docker/daemon.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(daemon['userns-remap']).toBe('default');
    expect(daemon['no-new-privileges']).toBe(true);
  });
});
