import { randomId } from '../../orchestrator/src/common/ids.js';
import Docker from 'dockerode';
import type { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import type { HardenedContainerSpec } from '../../orchestrator/src/docker/hardened-spec.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import type { BareCallHome } from './bare-call-home.js';

export type ContainerInspect = Docker.ContainerInspectInfo;

/**
 * The engine's raw record of a container. agentd's client exposes only its own normalised view, so the
 * benchmark reads the create options back with a plain dockerode client of its own.
 */
export function rawInspect(dockerHost: string): (containerId: string) => Promise<ContainerInspect> {
  const socketPath = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : dockerHost;
  const docker = new Docker({ socketPath });
  return (containerId) => docker.getContainer(containerId).inspect();
}

/** A node label agentd's reconciler does not own, so it never reaps baseline containers mid-run. */
export const BASELINE_NODE = `bench-baseline-${randomId(6)}`;

/**
 * The hardened spec of a container agentd created, read back from the engine: a baseline created from it
 * gets the same create options (runtime, seccomp, AppArmor, limits, tmpfs, ulimits, env, user) as agentd's
 * sandbox, apart from its name, labels and the socket directory it mounts.
 */
export function specOf(info: ContainerInspect, socketDir: string): HardenedContainerSpec {
  const host = info.HostConfig as ContainerInspect['HostConfig'] & {
    Tmpfs?: Record<string, string>;
    NanoCpus?: number;
    Runtime?: string;
  };
  const opt = (prefix: string): string | null =>
    (host.SecurityOpt as string[] | undefined)?.find((o) => o.startsWith(prefix))?.slice(prefix.length) ??
    null;
  const seccompJson = opt('seccomp=');
  if (seccompJson === null) throw new Error('agentd sandbox has no seccomp profile in its create options');
  const size = (mount: string): number => Number(/size=(\d+)/.exec(host.Tmpfs?.[mount] ?? '')?.[1]);
  const ulimit = (name: string): number => host.Ulimits?.find((u) => u.Name === name)?.Hard ?? Number.NaN;
  const env = Object.fromEntries(
    info.Config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  const logConfig = (host.LogConfig?.Config ?? {}) as Record<string, string>;
  return {
    name: `bench-base-${randomId(8)}`,
    image: info.Config.Image,
    // agentd's own labels (the guard requires them), on a node of the baseline's own and a sandbox id of its own.
    labels: {
      ...Object.fromEntries(
        Object.entries(info.Config.Labels).filter(
          ([k]) => k !== LABELS.tenant && k !== LABELS.conversation && k !== LABELS.pool,
        ),
      ),
      [LABELS.node]: BASELINE_NODE,
      [LABELS.sandboxId]: `base${randomId(8)}`,
      [LABELS.created]: new Date().toISOString(),
    },
    env,
    runtime: host.Runtime === 'runsc' ? 'runsc' : 'runc',
    seccompJson,
    apparmorProfile: opt('apparmor='),
    socketDir,
    tmpExec: /(^|,)exec(,|$)/.test(host.Tmpfs?.['/tmp'] ?? ''),
    limits: {
      memoryBytes: host.Memory ?? 0,
      nanoCpus: host.NanoCpus ?? 0,
      pidsLimit: host.PidsLimit ?? 0,
      workspaceBytes: size('/workspace'),
      tmpBytes: size('/tmp'),
      shmBytes: host.ShmSize ?? 0,
      nofile: ulimit('nofile'),
      nproc: ulimit('nproc'),
      fsizeBytes: ulimit('fsize'),
    },
    log: { maxSize: logConfig['max-size'] ?? '', maxFile: Number(logConfig['max-file']) },
    stopTimeoutSeconds: (info.Config as { StopTimeout?: number }).StopTimeout ?? 10,
  };
}

/** Throws unless both containers were created with the same options, bar name, labels and socket source. */
export function assertSameCreateOptions(agentd: ContainerInspect, baseline: ContainerInspect): void {
  const comparable = (info: ContainerInspect): Record<string, string> => {
    const { Mounts: _mounts, ...host } = info.HostConfig as Record<string, unknown>;
    const {
      Labels: _labels,
      Hostname: _hostname,
      ...config
    } = info.Config as unknown as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(host)) fields[`HostConfig.${k}`] = JSON.stringify(v);
    for (const [k, v] of Object.entries(config)) fields[`Config.${k}`] = JSON.stringify(v);
    return fields;
  };
  const a = comparable(agentd);
  const b = comparable(baseline);
  const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  if (differ.length > 0) {
    const lines = differ.map((k) => `  ${k}: agentd ${a[k] ?? '-'}, baseline ${b[k] ?? '-'}`);
    throw new Error(`baseline create options differ from agentd's:\n${lines.join('\n')}`);
  }
}

/**
 * Creates and starts a container through agentd's own Engine API client (the same create call and hardening
 * check) and resolves once its runner's first long-poll reached `callHome`.
 */
export async function startBaseline(
  docker: DockerEngine,
  template: ContainerInspect,
  callHome: BareCallHome,
): Promise<string> {
  const id = await docker.containers.createSandbox(specOf(template, callHome.dir));
  await docker.containers.start(id);
  await callHome.whenPolled();
  return id;
}

/** Removes every baseline container, also those a failed run left behind. */
export async function removeBaselines(docker: DockerEngine): Promise<void> {
  for (const c of await docker.containers.listManaged({ [LABELS.node]: BASELINE_NODE }))
    await docker.containers.remove(c.id);
}
