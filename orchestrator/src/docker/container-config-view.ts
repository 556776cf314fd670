/**
 * agentd's normalised view of a container's isolation settings, read alike from create options (before the
 * engine call) and from `docker inspect` (what the engine holds), so one rule table judges both. Absent
 * fields become '', 0, false or [] unless the absence itself is reported (pidsLimit).
 */
export interface ContainerConfigView {
  user: string;
  labels: Record<string, string>;
  networkDisabled: boolean;
  exposedPorts: string[];
  volumes: string[];
  init: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  readonlyRootfs: boolean;
  networkMode: string;
  pidMode: string;
  ipcMode: string;
  utsMode: string;
  usernsMode: string;
  cgroupnsMode: string;
  cgroupParent: string;
  publishAllPorts: boolean;
  portBindings: string[];
  devices: string[];
  deviceRequests: number;
  binds: string[];
  volumesFrom: string[];
  mounts: MountView[];
  tmpfs: Record<string, string>;
  memory: number;
  memorySwap: number;
  nanoCpus: number;
  cpuQuota: number;
  shmSize: number;
  /** null: no limit set. */
  pidsLimit: number | null;
  oomKillDisable: boolean;
  ulimits: { name: string; soft: number; hard: number }[];
  restartPolicy: { name: string; maximumRetryCount: number };
  logConfig: { type: string; config: Record<string, string> };
}

export interface MountView {
  type: string;
  source: string;
  target: string;
  readOnly: boolean;
  propagation: string;
}
