import type { HardenedContainerSpec } from './hardened-spec.js';

const MiB = 1024 * 1024;

/** A hardened spec as agentd builds one, for unit tests of the guard and the audit. */
export function sampleSpec(
  overrides: Partial<Pick<HardenedContainerSpec, 'name' | 'env' | 'seccompJson'>> = {},
): HardenedContainerSpec {
  return {
    name: 'agentd-test',
    image: 'agentd/sandbox-runner:test',
    labels: {
      'agentd.managed': 'true',
      'agentd.node': 'node-a',
      'agentd.sandbox': 'abcd1234',
      'agentd.profile': 'standard',
      'agentd.created': '2026-01-01T00:00:00.000Z',
    },
    env: { AGENTD_SOCKET: '/run/agentd/agentd.sock' },
    runtime: 'runc',
    seccompJson: '{"defaultAction":"SCMP_ACT_ERRNO"}',
    apparmorProfile: null,
    socketDir: '/var/lib/agentd/sandboxes/abcd1234',
    tmpExec: false,
    limits: {
      memoryBytes: 1024 * MiB,
      nanoCpus: 1e9,
      pidsLimit: 256,
      workspaceBytes: 512 * MiB,
      tmpBytes: 64 * MiB,
      shmBytes: 16 * MiB,
      nofile: 1024,
      nproc: 256,
      fsizeBytes: 512 * MiB,
    },
    log: { maxSize: '10m', maxFile: 3 },
    stopTimeoutSeconds: 5,
    ...overrides,
  };
}
