import type { ContainerCreateOptions } from 'dockerode';
import type { ContainerConfigView, MountView } from './container-config-view.js';

/** The container-level fields read (create options carry them at the top, inspect under `Config`). */
export interface RawConfig {
  User?: string;
  Labels?: Record<string, string> | null;
  NetworkDisabled?: boolean;
  ExposedPorts?: Record<string, unknown> | null;
  Volumes?: Record<string, unknown> | null;
}

/** The HostConfig fields read; the engine answers null for empty lists, dockerode types several as any. */
export interface RawHostConfig {
  Init?: boolean | null;
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  ReadonlyRootfs?: boolean;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  CgroupnsMode?: string;
  CgroupParent?: string;
  PublishAllPorts?: boolean;
  PortBindings?: Record<string, unknown> | null;
  Devices?: { PathOnHost?: string }[] | null;
  DeviceRequests?: unknown[] | null;
  Binds?: string[] | null;
  VolumesFrom?: string[] | null;
  Mounts?:
    | {
        Type?: string;
        Source?: string;
        Target?: string;
        ReadOnly?: boolean;
        BindOptions?: { Propagation?: string } | null;
      }[]
    | null;
  Tmpfs?: Record<string, string> | null;
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuQuota?: number;
  ShmSize?: number;
  PidsLimit?: number | null;
  OomKillDisable?: boolean | null;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> | null } | null;
}

export function toConfigView(config: RawConfig, hc: RawHostConfig): ContainerConfigView {
  return {
    user: config.User ?? '',
    labels: config.Labels ?? {},
    networkDisabled: config.NetworkDisabled === true,
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
    volumes: Object.keys(config.Volumes ?? {}),
    init: hc.Init === true,
    privileged: hc.Privileged === true,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    securityOpt: hc.SecurityOpt ?? [],
    readonlyRootfs: hc.ReadonlyRootfs === true,
    networkMode: hc.NetworkMode ?? '',
    pidMode: hc.PidMode ?? '',
    ipcMode: hc.IpcMode ?? '',
    utsMode: hc.UTSMode ?? '',
    usernsMode: hc.UsernsMode ?? '',
    cgroupnsMode: hc.CgroupnsMode ?? '',
    cgroupParent: hc.CgroupParent ?? '',
    publishAllPorts: hc.PublishAllPorts === true,
    portBindings: Object.keys(hc.PortBindings ?? {}),
    devices: (hc.Devices ?? []).map((d) => d.PathOnHost ?? '?'),
    deviceRequests: (hc.DeviceRequests ?? []).length,
    binds: hc.Binds ?? [],
    volumesFrom: hc.VolumesFrom ?? [],
    mounts: (hc.Mounts ?? []).map((m): MountView => ({
      type: m.Type ?? '',
      source: m.Source ?? '',
      target: m.Target ?? '',
      readOnly: m.ReadOnly === true,
      propagation: m.BindOptions?.Propagation ?? '',
    })),
    tmpfs: hc.Tmpfs ?? {},
    memory: hc.Memory ?? 0,
    memorySwap: hc.MemorySwap ?? 0,
    nanoCpus: hc.NanoCpus ?? 0,
    cpuQuota: hc.CpuQuota ?? 0,
    shmSize: hc.ShmSize ?? 0,
    pidsLimit: hc.PidsLimit ?? null,
    oomKillDisable: hc.OomKillDisable === true,
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    restartPolicy: {
      name: hc.RestartPolicy?.Name ?? '',
      maximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    logConfig: { type: hc.LogConfig?.Type ?? '', config: hc.LogConfig?.Config ?? {} },
  };
}

export function viewOfCreateOptions(options: ContainerCreateOptions): ContainerConfigView {
  return toConfigView(options, (options.HostConfig ?? {}) as RawHostConfig);
}
