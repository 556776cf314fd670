/**
 * Everything that may vary between sandboxes. There is deliberately no field for privileged mode, host
 * namespaces, user namespace mode, ports, devices, capabilities or extra mounts: a caller cannot ask for them.
 */
export interface HardenedContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  runtime: 'runc' | 'runsc';
  seccompJson: string;
  /** Applied only when the host kernel enforces AppArmor; `null` otherwise (Docker would silently ignore it). */
  apparmorProfile: string | null;
  /** Host directory (agentd-owned, 0755) mounted read-only at /run/agentd: it holds agentd's listening socket. */
  socketDir: string;
  tmpExec: boolean;
  limits: {
    memoryBytes: number;
    nanoCpus: number;
    pidsLimit: number;
    workspaceBytes: number;
    tmpBytes: number;
    shmBytes: number;
    nofile: number;
    nproc: number;
    fsizeBytes: number;
  };
  log: { maxSize: string; maxFile: number };
  stopTimeoutSeconds: number;
}

export const SANDBOX_USER = '1000:1000';
export const SANDBOX_UID = 1000;
export const SOCKET_MOUNT_POINT = '/run/agentd';
export const WORKSPACE_DIR = '/workspace';
/** The tenant's Agent Skills, delivered by the runner before each run; never synced back. */
export const SKILLS_DIR = '/skills';
/** Room for a tenant's enabled skills (the skill service keeps them within 24 MiB plus a page per file). */
export const SKILLS_TMPFS_BYTES = 32 * 1024 * 1024;
/** The only writable places in a sandbox (with /dev/shm, sized by ShmSize). */
export const TMPFS_MOUNTS = [WORKSPACE_DIR, '/tmp', SKILLS_DIR] as const;
