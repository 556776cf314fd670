# Runs inside a sandbox as uid 1000 (through the engine's exec API) and prints what the kernel really allows,
# as one JSON object. Raw syscalls go through ctypes so no library can paper over a failure.
import ctypes, errno, json, os, socket

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def syscall(nr, *args):
    ctypes.set_errno(0)
    ret = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return {"ret": ret, "errno": errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())) if ret < 0 else None}

status = {}
for line in open("/proc/self/status"):
    key, _, value = line.partition(":")
    status[key] = value.strip()

# x86_64 syscall numbers.
NR = {"ptrace": 101, "mount": 165, "unshare": 272, "keyctl": 250, "bpf": 321, "userfaultfd": 323,
      "io_uring_setup": 425, "clone3": 435, "setns": 308, "perf_event_open": 298}
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
def try_socket(family, kind):
    try:
        socket.socket(family, kind).close()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def try_socket_proto(family, kind, proto):
    try:
        socket.socket(family, kind, proto).close()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def try_write(path):
    try:
        with open(os.path.join(path, ".agentd-probe"), "w") as f:
            f.write("x")
        os.unlink(os.path.join(path, ".agentd-probe"))
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def writable_dirs():
    found = []
    for top in ["/"]:
        for root, dirs, _ in os.walk(top):
            if root in ("/proc", "/sys") or root.startswith(("/proc/", "/sys/")):
                dirs[:] = []
                continue
            if os.access(root, os.W_OK):
                found.append(root)
                dirs[:] = []
    return sorted(found)

def mounts():
    out = []
    for line in open("/proc/self/mountinfo"):
        fields = line.split()
        out.append({"target": fields[4], "options": fields[5], "fstype": fields[fields.index("-") + 1]})
    return out

facts = {
    "uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),
    "capEff": status.get("CapEff"), "capPrm": status.get("CapPrm"), "capBnd": status.get("CapBnd"),
    "noNewPrivs": status.get("NoNewPrivs"), "seccomp": status.get("Seccomp"),
    "uidMap": open("/proc/self/uid_map").read().split(),
    "sockets": {
        "packet": try_socket(17, socket.SOCK_RAW),
        "inet_raw": try_socket(socket.AF_INET, socket.SOCK_RAW),
        "inet_stream": try_socket(socket.AF_INET, socket.SOCK_STREAM),
        "unix": try_socket(socket.AF_UNIX, socket.SOCK_STREAM),
        "vsock": try_socket(40, socket.SOCK_STREAM),
    },
    "writes": {p: try_write(p) for p in ["/", "/etc", "/usr", "/opt/agentd-runner", "/var", "/root", "/home",
                                         "/run/agentd", "/workspace", "/tmp", "/dev/shm"]},
    "procSysWrite": try_write("/proc/sys/kernel") if os.path.isdir("/proc/sys/kernel") else "absent",
    "procSysMount": next((m["options"] for m in mounts() if m["target"] == "/proc/sys"), None),
    "writableDirs": writable_dirs(),
    "netInterfaces": sorted(name for _, name in socket.if_nameindex()),
    "engineSockets": [p for p in ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
                                  "/var/run/containerd/containerd.sock"] if os.path.exists(p)],
    "socketMounts": [m["target"] for m in mounts() if m["target"].endswith(".sock") or "containerd" in m["target"]],
    "runnerEnv": None,
}
# The runner's environment as the kernel holds it (pid of the node process).
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            if cmd and cmd[0].endswith(b"node"):
                env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
                facts["runnerEnv"] = sorted(e.decode(errors="replace") for e in env if e)
                break
        except OSError:
            pass

def in_child(probe):
    """Runs `probe` in a forked child, so one that succeeds (a weakened sandbox) cannot change the next."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.write(write_end, probe().encode())
        os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 100).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    return answer

def errname(result):
    return "ok" if result["ret"] >= 0 else result["errno"]

def cstr(value):
    return ctypes.addressof(ctypes.create_string_buffer(value))

# Calls whose arguments make the kernel refuse them for another reason than a missing capability (a missing
# mount point, bad flags, a NULL attribute pointer), or that need no capability at all: without seccomp their
# errno is not EPERM, so an EPERM here is the profile's answer.
facts["seccompOnly"] = {
    "mount_missing_target": in_child(lambda: errname(syscall(NR["mount"], cstr(b"none"), cstr(b"/nonexistent-agentd"), cstr(b"tmpfs"), 0, 0))),
    "unshare_user": in_child(lambda: errname(syscall(NR["unshare"], CLONE_NEWUSER))),
    "unshare_bad_flags": in_child(lambda: errname(syscall(NR["unshare"], 1))),
    "bpf_map_create_null": in_child(lambda: errname(syscall(NR["bpf"], 0, 0, 0))),
    "userfaultfd_user_mode": in_child(lambda: errname(syscall(NR["userfaultfd"], 1))),
    "perf_event_open_null": in_child(lambda: errname(syscall(NR["perf_event_open"], 0, 0, -1 & 0xFFFFFFFF, -1 & 0xFFFFFFFF, 0))),
    "packet_bad_type": in_child(lambda: try_socket(17, 99)),
    "vsock_stream": in_child(lambda: try_socket(40, socket.SOCK_STREAM)),
    # Allowed by the profile (AF_INET): only the dropped CAP_NET_RAW refuses it, in both containers.
    "inet_raw_icmp": in_child(lambda: try_socket_proto(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)),
}

# Last: a syscall that succeeded (a weakened sandbox) could change this process's view of the system.
facts["syscalls"] = {
    "ptrace_traceme": syscall(NR["ptrace"], 0, 0, 0, 0),
    "mount_tmpfs": syscall(NR["mount"], ctypes.addressof(ctypes.create_string_buffer(b"none")),
                           ctypes.addressof(ctypes.create_string_buffer(b"/tmp")),
                           ctypes.addressof(ctypes.create_string_buffer(b"tmpfs")), 0, 0),
    "unshare_user": syscall(NR["unshare"], CLONE_NEWUSER),
    "unshare_mount": syscall(NR["unshare"], CLONE_NEWNS),
    "keyctl_session": syscall(NR["keyctl"], 0, -3 & 0xFFFFFFFF, 0),
    "bpf_map_create": syscall(NR["bpf"], 0, 0, 0),
    "userfaultfd": syscall(NR["userfaultfd"], 0),
    "io_uring_setup": syscall(NR["io_uring_setup"], 1, 0),
    "clone3": syscall(NR["clone3"], 0, 0),
    "perf_event_open": syscall(NR["perf_event_open"], 0, 0, -1 & 0xFFFFFFFF, -1 & 0xFFFFFFFF, 0),
}

print(json.dumps(facts))
