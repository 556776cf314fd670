import { readFile } from 'node:fs/promises';
import type { ExecClient } from '../../orchestrator/src/docker/exec-client.js';

interface SyscallResult {
  ret: number;
  errno: string | null;
}

/** The probe's calls that only the seccomp profile answers with EPERM, and what an unconfined kernel says. */
export const SECCOMP_ONLY = {
  mount_missing_target: 'ENOENT',
  unshare_user: 'ok',
  unshare_bad_flags: 'EINVAL',
  bpf_map_create_null: 'EINVAL',
  userfaultfd_user_mode: 'ok',
  perf_event_open_null: 'EFAULT',
  packet_bad_type: 'EINVAL',
  vsock_stream: 'ok',
} as const;
export type SeccompOnlyProbe = keyof typeof SECCOMP_ONLY;

export interface IsolationFacts {
  uid: number;
  gid: number;
  euid: number;
  capEff: string;
  capPrm: string;
  capBnd: string;
  noNewPrivs: string;
  seccomp: string;
  uidMap: string[];
  syscalls: Record<
    | 'ptrace_traceme'
    | 'mount_tmpfs'
    | 'unshare_user'
    | 'unshare_mount'
    | 'keyctl_session'
    | 'bpf_map_create'
    | 'userfaultfd'
    | 'io_uring_setup'
    | 'clone3'
    | 'perf_event_open',
    SyscallResult
  >;
  sockets: Record<'packet' | 'inet_raw' | 'inet_stream' | 'unix' | 'vsock', string>;
  /** "ok" or the errno name of calls that, without seccomp, fail with another errno than EPERM (or succeed). */
  seccompOnly: Record<SeccompOnlyProbe | 'inet_raw_icmp', string>;
  writes: Record<string, string>;
  procSysWrite: string;
  procSysMount: string | null;
  writableDirs: string[];
  netInterfaces: string[];
  engineSockets: string[];
  socketMounts: string[];
  runnerEnv: string[] | null;
}

const PROBE = new URL('./isolation-probe.py', import.meta.url);

/** Runs the probe inside the container as uid 1000 through the exec API and parses its findings. */
export async function readIsolationFacts(exec: ExecClient, containerId: string): Promise<IsolationFacts> {
  const script = await readFile(PROBE, 'utf8');
  const result = await exec.run(containerId, ['python3', '-c', script], {
    user: '1000:1000',
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0) throw new Error(`probe failed (${result.exitCode}): ${result.stderr}`);
  return JSON.parse(result.stdout) as IsolationFacts;
}
