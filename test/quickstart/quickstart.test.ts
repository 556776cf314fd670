import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/quickstart.sh', import.meta.url).pathname;

/** README's first command, as a user runs it: a streamed sandboxed run on the embedded defaults; twice. */
describe('scripts/quickstart.sh', () => {
  let stateDir = '';
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    AGENTD_STATE_DIR: stateDir,
    APP_PORT: '18765',
    AGENTD_NODE_ID: 'quickstart-test',
    // Where the quickstart links `agentd` (/usr/local/bin for a user): kept inside the test's own directory.
    AGENTD_BIN_DIR: path.join(stateDir, 'bin'),
  });

  afterAll(async () => {
    if (stateDir) {
      await run('bash', [SCRIPT, 'stop'], { env: env() }).catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    }
    const docker = new DockerEngine({ dockerHost: 'unix:///var/run/docker.sock', logger: silentLogger() });
    for (const c of await docker.containers.listManaged({ [LABELS.node]: 'quickstart-test' }))
      await docker.containers.remove(c.id);
  });

  it('streams a run whose tools write and read a file in the sandbox, and is idempotent', async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-qs-'));
    const first = await run('bash', [SCRIPT], { env: env(), maxBuffer: 16 * 1024 * 1024 });
    expect(first.stdout).toContain('→ write_file');
    expect(first.stdout).toContain('uid 1000, network interfaces: lo');
    // The whole turn: the preface before the tools, then the answer.
    expect(first.stdout).toMatch(
      /✔ final answer:\nWriting hello.txt in the sandbox workspace.\n\nThe file says:\nHello from an agentd sandbox!/,
    );
    expect(first.stdout).toContain('Where to go next');
    expect((await run(path.join(stateDir, 'bin', 'agentd'), ['--version'])).stdout).toMatch(
      /^agentd \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)$/m,
    );
    const second = await run('bash', [SCRIPT], { env: env(), maxBuffer: 16 * 1024 * 1024 });
    expect(second.stdout).toContain('agentd already answers');
    expect(second.stdout).toContain('is up to date');
    expect(second.stdout).toMatch(/✔ final answer:\n[^]*The file says:\nHello from an agentd sandbox!/);
    // It ends with the web console's URL, which serves the console.
    const consoleUrl = second.stdout.trimEnd().split('\n').at(-1)?.trim() ?? '';
    expect(consoleUrl).toMatch(/^http:\/\/[^ ]+\/console\/$/);
    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const stop = await run('bash', [SCRIPT, 'stop'], { env: env() });
    expect(stop.stdout).toContain('agentd stopped');
  });
});
