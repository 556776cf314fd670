import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { createAgentdImageBuilder } from '../../orchestrator/src/main.js';

const run = promisify(execFile);

/** agentd's own image builds offline (FROM the runner's base) and carries everything the daemon needs. */
describe('agentd image', () => {
  it('builds with no registry and runs the CLI with its deployment files and migrations inside', async () => {
    const builder = await createAgentdImageBuilder(loadConfig(process.env), silentLogger(), () => undefined);
    const { image } = await builder.ensure();
    const help = await run('docker', ['run', '--rm', '--network', 'none', image, '--help']);
    expect(help.stdout).toContain('Usage: agentd');
    const policy = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      image,
      'policy',
      'validate',
      '/opt/agentd/deployment/policy/example.yaml',
    ]);
    // The first line names the file and the verdict ("valid" would also match "invalid").
    expect(policy.stdout.split('\n')[0]).toBe('/opt/agentd/deployment/policy/example.yaml: valid');
    const files = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'ls',
      image,
      '/opt/agentd/prisma/migrations',
    ]);
    expect(files.stdout).toContain('_init');
  });
});
