import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import type * as containerOptions from '../../orchestrator/src/docker/container-options.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import type { HardenedContainerSpec } from '../../orchestrator/src/docker/hardened-spec.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';

type CreateOptions = ReturnType<typeof containerOptions.toCreateOptions>;
type HostConfig = NonNullable<CreateOptions['HostConfig']>;

// Stands in for a bug upstream of the guard: the spec-to-options translation returns weakened options.
const tamper = vi.hoisted(() => ({ with: undefined as ((o: CreateOptions) => void) | undefined }));
vi.mock('../../orchestrator/src/docker/container-options.js', async (importOriginal) => {
  const original = await importOriginal<typeof containerOptions>();
  return {
    ...original,
    toCreateOptions: (spec: HardenedContainerSpec): CreateOptions => {
      const options = original.toCreateOptions(spec);
      tamper.with?.(options);
      return options;
    },
  };
});

const run = promisify(execFile);
const MiB = 1024 * 1024;

/**
 * The hardening guard sits in the real create path: weakened options never reach the engine. Each case asks
 * the real engine afterwards whether a container by that name exists.
 */
describe('create-time hardening guard (real engine)', () => {
  const config = loadConfig(process.env);
  const docker = new DockerEngine({ dockerHost: config.docker.host, logger: silentLogger() });
  const nodeId = `guard-${randomId(8)}`;
  let socketDir = '';
  let name = '';

  const specFor = (overrides: Partial<HardenedContainerSpec> = {}): HardenedContainerSpec => ({
    name,
    image: config.sandbox.image,
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.node]: nodeId,
      [LABELS.sandboxId]: name,
      [LABELS.profile]: 'standard',
      [LABELS.created]: new Date().toISOString(),
    },
    env: {},
    runtime: 'runc',
    seccompJson: '{"defaultAction":"SCMP_ACT_ALLOW"}',
    apparmorProfile: null,
    socketDir,
    tmpExec: false,
    limits: {
      memoryBytes: 256 * MiB,
      nanoCpus: 5e8,
      pidsLimit: 64,
      workspaceBytes: 16 * MiB,
      tmpBytes: 16 * MiB,
      shmBytes: 1 * MiB,
      nofile: 256,
      nproc: 64,
      fsizeBytes: 16 * MiB,
    },
    log: { maxSize: '1m', maxFile: 1 },
    stopTimeoutSeconds: 1,
    ...overrides,
  });

  beforeAll(async () => {
    socketDir = await mkdtemp(path.join(tmpdir(), 'agentd-guard-'));
  });
  afterEach(async () => {
    tamper.with = undefined;
    // Only reached when the guard let something through (or for the positive control); never leave it behind.
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  });
  afterAll(async () => {
    await rm(socketDir, { recursive: true, force: true });
  });

  const created = async (): Promise<boolean> => (await docker.containers.inspect(name)) !== undefined;

  it('creates a container from a sound spec (the control: the path and the check work)', async () => {
    name = `agentd-guard-${randomId(8)}`;
    const id = await docker.containers.createSandbox(specFor());
    expect(await created()).toBe(true);
    expect((await docker.containers.listManaged({ [LABELS.node]: nodeId })).map((c) => c.id)).toEqual([id]);
    await docker.containers.remove(id);
  });

  it.each<[string, (o: CreateOptions) => void, string]>([
    ['an added capability', (o) => ((o.HostConfig as HostConfig).CapAdd = ['SYS_ADMIN']), 'caps.dropped'],
    [
      'seccomp unconfined',
      (o) => ((o.HostConfig as HostConfig).SecurityOpt = ['no-new-privileges:true', 'seccomp=unconfined']),
      'seccomp.profile',
    ],
    [
      'a bridge network',
      (o) => {
        (o.HostConfig as HostConfig).NetworkMode = 'bridge';
        o.NetworkDisabled = false;
      },
      'network',
    ],
    ['a writable root', (o) => ((o.HostConfig as HostConfig).ReadonlyRootfs = false), 'rootfs.readonly'],
    ['privileged mode', (o) => ((o.HostConfig as HostConfig).Privileged = true), 'privileged'],
    ['the host PID namespace', (o) => ((o.HostConfig as HostConfig).PidMode = 'host'), 'ns.pid'],
  ])('refuses options with %s and creates nothing', async (_case, weaken, ruleId) => {
    name = `agentd-guard-${randomId(8)}`;
    tamper.with = weaken;
    const attempt = docker.containers.createSandbox(specFor());
    await expect(attempt).rejects.toMatchObject({
      code: 'SANDBOX_START_FAILED',
      severity: 'critical',
      message: expect.stringContaining(`${ruleId}: `),
    });
    expect(await created()).toBe(false);
    expect(await docker.containers.listManaged({ [LABELS.node]: nodeId })).toEqual([]);
  });

  it('refuses a spec whose own values are unsafe (seccomp unconfined, / as the socket dir)', async () => {
    name = `agentd-guard-${randomId(8)}`;
    await expect(docker.containers.createSandbox(specFor({ seccompJson: 'unconfined' }))).rejects.toThrow(
      /seccomp\.profile: /,
    );
    await expect(docker.containers.createSandbox(specFor({ socketDir: '/' }))).rejects.toThrow(
      /mounts\.host: /,
    );
    expect(await created()).toBe(false);
    expect(await docker.containers.listManaged({ [LABELS.node]: nodeId })).toEqual([]);
  });
});
