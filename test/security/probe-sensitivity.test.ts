import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { readIsolationFacts, type IsolationFacts } from '../support/isolation-facts.js';

const run = promisify(execFile);

/**
 * The isolation suite is only worth something if its probe can tell a weak container from a hardened one.
 * This runs the same probe in a deliberately loosened container (created with the docker CLI, not agentd:
 * agentd refuses to create it) and checks each weakness shows up.
 */
describe('isolation probe sensitivity (a loosened container must fail the checks)', () => {
  const config = loadConfig(process.env);
  const docker = new DockerEngine({
    dockerHost: config.docker.host,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  let containerId = '';
  let facts: IsolationFacts;

  beforeAll(async () => {
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--userns=host',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'no-new-privileges=false',
      '--cap-add',
      'SYS_ADMIN',
      '--label',
      'purpose=agentd-probe-sensitivity',
      '--entrypoint',
      'sleep',
      config.sandbox.image,
      '300',
    ]);
    containerId = stdout.trim();
    facts = await readIsolationFacts(docker.exec, containerId);
  });
  afterAll(async () => {
    if (containerId) await run('docker', ['rm', '-f', containerId]);
  });

  it('sees the host user namespace, no seccomp, no no-new-privileges and a full bounding set', () => {
    expect(facts.uidMap).toEqual(['0', '0', '4294967295']);
    expect(facts.seccomp).toBe('0');
    expect(facts.noNewPrivs).toBe('0');
    expect(facts.capBnd).not.toBe('0000000000000000');
  });

  it('sees io_uring and ptrace allowed, and a network interface besides lo', () => {
    expect(facts.syscalls.io_uring_setup.errno).not.toBe('ENOSYS');
    expect(facts.syscalls.ptrace_traceme.ret).toBe(0);
    expect(facts.netInterfaces).not.toEqual(['lo']);
  });

  it('sees a writable root filesystem', () => {
    expect(facts.writes['/etc']).not.toBe('EROFS');
    expect(facts.writableDirs.some((d) => !/^\/(workspace|tmp|dev\/shm|dev\/mqueue)(\/|$)/.test(d))).toBe(
      true,
    );
  });
});
