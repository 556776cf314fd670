# Runs inside a container as uid 1000 (through the engine's exec API) and prints, as one JSON object, which
# kernel interfaces beyond the ordinary ones the process can reach: socket families and netlink protocols,
# and write access to /proc/sys, core_pattern, sysrq-trigger and cgroup control files. Writes are probed by
# opening for writing only (never writing): a probe that succeeds on a weakened host must not change it.
import ctypes, errno, json, os, socket

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def name(e):
    return errno.errorcode.get(e, str(e))

def try_socket(family, kind, proto=0):
    try:
        socket.socket(family, kind, proto).close()
        return "ok"
    except OSError as e:
        return name(e.errno)

def try_open_write(path):
    try:
        os.close(os.open(path, os.O_WRONLY))
        return "ok"
    except OSError as e:
        return name(e.errno)

def try_mkdir(path):
    try:
        os.mkdir(path)
        os.rmdir(path)
        return "ok"
    except OSError as e:
        return name(e.errno)

# Every netlink protocol number the kernel defines (linux/netlink.h), 0 (ROUTE) through 22 (SMC).
NETLINK = {0: "ROUTE", 1: "UNUSED", 2: "USERSOCK", 3: "FIREWALL", 4: "SOCK_DIAG", 5: "NFLOG", 6: "XFRM",
           7: "SELINUX", 8: "ISCSI", 9: "AUDIT", 10: "FIB_LOOKUP", 11: "CONNECTOR", 12: "NETFILTER",
           13: "IP6_FW", 14: "DNRTMSG", 15: "KOBJECT_UEVENT", 16: "GENERIC", 17: "UNUSED17",
           18: "SCSITRANSPORT", 19: "ECRYPTFS", 20: "RDMA", 21: "CRYPTO", 22: "SMC"}
AF_NETLINK, AF_ALG, AF_VSOCK = 16, 38, 40

proc_sys = {}
for root, dirs, files in os.walk("/proc/sys"):
    for f in files:
        path = os.path.join(root, f)
        proc_sys[path] = try_open_write(path)

cgroup_files = {}
cgroup_dirs = {}
if os.path.isdir("/sys/fs/cgroup"):
    for root, dirs, files in os.walk("/sys/fs/cgroup"):
        for f in files:
            if f in ("release_agent", "notify_on_release", "cgroup.procs", "tasks", "pids.max",
                     "memory.limit_in_bytes", "memory.max", "cpu.cfs_quota_us", "cpu.max", "cgroup.subtree_control"):
                path = os.path.join(root, f)
                cgroup_files[path] = try_open_write(path)
        if root.count("/") <= 4:
            cgroup_dirs[root] = try_mkdir(os.path.join(root, "agentd-probe"))

# CVE-2022-0492's route to a writable release_agent: mount a cgroup v1 hierarchy of one's own.
mnt = b"/tmp/agentd-cg"
os.makedirs(mnt.decode(), exist_ok=True)
ctypes.set_errno(0)
ret = libc.mount(b"cgroup", mnt, b"cgroup", 0, b"rdma")
mount_cgroup = "ok" if ret == 0 else name(ctypes.get_errno())
if ret == 0:
    libc.umount(mnt)

print(json.dumps({
    "uid": os.getuid(),
    "alg": try_socket(AF_ALG, socket.SOCK_SEQPACKET),
    "vsock": try_socket(AF_VSOCK, socket.SOCK_STREAM),
    "netlink": {f"{p}:{n}": {"raw": try_socket(AF_NETLINK, socket.SOCK_RAW, p),
                             "dgram": try_socket(AF_NETLINK, socket.SOCK_DGRAM, p)} for p, n in NETLINK.items()},
    "procSys": proc_sys,
    "corePattern": try_open_write("/proc/sys/kernel/core_pattern"),
    "sysrqTrigger": try_open_write("/proc/sysrq-trigger"),
    "cgroupFiles": cgroup_files,
    "cgroupDirs": cgroup_dirs,
    "mountCgroup": mount_cgroup,
}))
