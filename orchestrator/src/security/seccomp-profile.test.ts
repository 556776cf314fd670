import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The committed seccomp profile (deployment/seccomp/agent-sandbox.json), in the format Docker's
// `--security-opt seccomp=<file>` takes. These invariants are the design's (docs/architecture.md: hardening).

interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

interface SeccompCondition {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface SeccompRule {
  comment?: string;
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  includes?: SeccompCondition;
  excludes?: SeccompCondition;
}

interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  syscalls: SeccompRule[];
}

const PROFILE_URL = new URL('../../../deployment/seccomp/agent-sandbox.json', import.meta.url);
const raw = readFileSync(PROFILE_URL, 'utf8');
const profile = JSON.parse(raw) as SeccompProfile;

const ALLOW = 'SCMP_ACT_ALLOW';
const ERRNO = 'SCMP_ACT_ERRNO';
const EPERM = 1;
const ENOSYS = 38;
// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;

const words = (list: string): string[] => list.trim().split(/\s+/);

// Never in an allow entry: tracing, kernel keyrings, BPF, namespaces and mounts, modules, time,
// 32-bit multiplexers (they would bypass argument filters), and the capability-gated rest.
const DENIED = words(`
  ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd process_madvise keyctl add_key
  request_key bpf userfaultfd perf_event_open mount umount umount2 pivot_root chroot unshare setns
  fsopen fsmount fsconfig fspick open_tree move_mount mount_setattr open_by_handle_at
  name_to_handle_at fanotify_init fanotify_mark quotactl quotactl_fd kexec_load kexec_file_load
  init_module finit_module delete_module create_module get_kernel_syms query_module swapon swapoff
  reboot acct lookup_dcookie iopl ioperm vhangup clock_settime settimeofday stime syslog
  nfsservctl uselib ustat sysfs _sysctl vm86 vm86old modify_ldt sethostname setdomainname
  lsm_get_self_attr lsm_set_self_attr lsm_list_modules get_mempolicy set_mempolicy mbind
  migrate_pages move_pages memfd_secret socketcall ipc
`);
const ENOSYS_CALLS = words('io_uring_setup io_uring_enter io_uring_register clone3');
// Unconditionally allowed: what every ordinary program needs.
const ESSENTIAL = words(`
  read write openat close mmap mprotect brk futex execve wait4 exit_group rt_sigaction statx
  getrandom epoll_pwait pipe2 connect rseq
`);

const allowRules = profile.syscalls.filter((r) => r.action === ALLOW);
const unconditional = allowRules.filter((r) => r.args === undefined || r.args.length === 0);
const rulesFor = (name: string): SeccompRule[] => profile.syscalls.filter((r) => r.names.includes(name));

describe('deployment/seccomp/agent-sandbox.json', () => {
  it('is stable, 2-space pretty-printed JSON', () => {
    expect(raw).toBe(`${JSON.stringify(profile, null, 2)}\n`);
  });

  it('denies by default with EPERM', () => {
    expect(profile.defaultAction).toBe(ERRNO);
    expect(profile.defaultErrnoRet).toBe(EPERM);
  });

  it('covers exactly x86_64 and aarch64, with no compat sub-architectures', () => {
    expect(profile.architectures).toBeUndefined();
    const archMap = profile.archMap ?? [];
    expect(archMap.map((a) => a.architecture).sort()).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_X86_64']);
    for (const arch of archMap) expect(arch.subArchitectures ?? []).toEqual([]);
  });

  it('uses only allow and errno actions, and no capability-conditional entries', () => {
    for (const rule of profile.syscalls) {
      expect([ALLOW, ERRNO]).toContain(rule.action);
      expect(rule.includes?.caps ?? [], rule.names.join(',')).toEqual([]);
      expect(rule.excludes?.caps ?? [], rule.names.join(',')).toEqual([]);
    }
  });

  it.each(DENIED)('does not allow %s', (name) => {
    expect(allowRules.filter((r) => r.names.includes(name))).toEqual([]);
  });

  it.each(ENOSYS_CALLS)('answers %s with ENOSYS', (name) => {
    const rules = rulesFor(name);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ action: ERRNO, errnoRet: ENOSYS });
  });

  it('allows clone only without namespace flags', () => {
    const rules = rulesFor('clone');
    expect(rules).toHaveLength(1);
    const rule = rules[0];
    expect(rule?.action).toBe(ALLOW);
    expect(rule?.names).toEqual(['clone']);
    expect(rule?.args).toHaveLength(1);
    const arg = rule?.args?.[0];
    expect(arg).toMatchObject({ index: 0, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' });
    expect(arg?.valueTwo ?? 0).toBe(0);
  });

  it('allows socket() only for AF_UNIX, AF_INET, AF_INET6, and AF_NETLINK with protocol 0', () => {
    const rules = rulesFor('socket');
    const domains: number[] = [];
    for (const rule of rules) {
      expect(rule.action).toBe(ALLOW);
      expect(rule.names).toEqual(['socket']);
      const family = rule.args?.[0];
      expect(family).toMatchObject({ index: 0, op: 'SCMP_CMP_EQ' });
      if (family === undefined) continue;
      domains.push(family.value);
      // Every netlink protocol but NETLINK_ROUTE (NETFILTER, XFRM, AUDIT, uevents …) stays refused.
      if (family.value === AF_NETLINK)
        expect(rule.args).toEqual([family, { index: 2, value: NETLINK_ROUTE, op: 'SCMP_CMP_EQ' }]);
      else expect(rule.args).toHaveLength(1);
    }
    expect(domains.sort((a, b) => a - b)).toEqual([1, 2, 10, AF_NETLINK]);
  });

  it('allows personality() only for the safe personas', () => {
    const values = rulesFor('personality').map((r) => {
      expect(r).toMatchObject({ action: ALLOW, names: ['personality'] });
      expect(r.args).toHaveLength(1);
      return r.args?.[0]?.op === 'SCMP_CMP_EQ' ? r.args[0].value : Number.NaN;
    });
    expect(values.sort((a, b) => a - b)).toEqual([0x0, 0x8, 0x20000, 0x20008, 0xffffffff]);
  });

  it('lists every syscall once: no duplicates, no name both filtered and unconditional', () => {
    const names = unconditional.flatMap((r) => r.names);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const filtered = new Set(
      profile.syscalls.filter((r) => !unconditional.includes(r)).flatMap((r) => r.names),
    );
    expect(names.filter((n) => filtered.has(n))).toEqual([]);
  });

  it('keeps what an ordinary userland needs', () => {
    const names = new Set(unconditional.flatMap((r) => r.names));
    expect(ESSENTIAL.filter((n) => !names.has(n))).toEqual([]);
  });

  it('explains every entry', () => {
    for (const rule of profile.syscalls)
      expect(rule.comment?.length ?? 0, rule.names.join(',')).toBeGreaterThan(10);
  });
});
