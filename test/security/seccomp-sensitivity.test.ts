import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import {
  readIsolationFacts,
  SECCOMP_ONLY,
  type IsolationFacts,
  type SeccompOnlyProbe,
} from '../support/isolation-facts.js';

/**
 * isolation.test.ts sees EPERM for mount, unshare, bpf, userfaultfd, perf_event_open and packet/vsock sockets
 * in a sandbox. Dropped capabilities alone could answer some of those with EPERM, so this control container
 * has every capability dropped but no seccomp filter (same image, uid 1000, created through the Engine API):
 * where it answers otherwise, the sandbox's EPERM is the profile's doing.
 */
describe('seccomp sensitivity (a capability-less container without seccomp answers otherwise)', () => {
  const config = loadConfig(process.env);
  const docker = new DockerEngine({
    dockerHost: config.docker.host,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  const host = config.docker.host.replace(/^unix:\/\//, '');
  const engine = new Docker(host.startsWith('/') ? { socketPath: host } : { host });
  let container: Docker.Container | undefined;
  let facts: IsolationFacts;

  beforeAll(async () => {
    container = await engine.createContainer({
      Image: config.sandbox.image,
      Entrypoint: ['sleep'],
      Cmd: ['300'],
      User: '1000:1000',
      Labels: { purpose: 'agentd-seccomp-sensitivity' },
      HostConfig: {
        CapDrop: ['ALL'],
        SecurityOpt: ['seccomp=unconfined'],
        NetworkMode: 'none',
        AutoRemove: false,
      },
    });
    await container.start();
    facts = await readIsolationFacts(docker.exec, container.id);
  });
  afterAll(async () => {
    await container?.remove({ force: true });
  });

  it('runs unconfined with no capabilities', () => {
    expect(facts.seccomp).toBe('0');
    expect(facts.capEff).toBe('0000000000000000');
    expect(facts.capBnd).toBe('0000000000000000');
  });

  it.each(Object.entries(SECCOMP_ONLY) as [SeccompOnlyProbe, string][])(
    '%s answers %s without seccomp (EPERM in a sandbox)',
    (name, unconfined) => {
      expect(facts.seccompOnly[name]).toBe(unconfined);
    },
  );

  it('refuses raw inet sockets all the same: that one is the capability drop’s work', () => {
    expect(facts.seccompOnly.inet_raw_icmp).toBe('EPERM');
  });
});
