import type { AdvisoryTable } from './advisory-table.js';

const DEBIAN_RUNC = 'Debian changelog of runc (bookworm-security)';
const DEBIAN_CONTAINERD = 'Debian changelog of containerd (bookworm)';
const RUNC_2025 = ['1.2.8', '1.3.3', '1.4.0-rc.3'];

/**
 * Known container-escape and host-exposure flaws of the components under agentd's sandboxes. Versioned data:
 * bump `version` and `reviewed` with every change, and record where each fact came from. A Debian build
 * counts as fixed only when its own changelog names the CVE (`distributionFixes`); bookworm's runc
 * 1.1.5+ds1-1+deb12u1 names CVE-2024-21626 and nothing later.
 */
export const ADVISORIES: AdvisoryTable = {
  version: 1,
  reviewed: '2026-11-29',
  advisories: [
    {
      id: 'CVE-2019-5736',
      component: 'runc',
      severity: 'high',
      summary:
        'A process running as root in a container can overwrite the host runc binary through /proc/self/exe when runc executes into the container (docker exec) or starts an image that points its entry point at it.',
      fixed: ['1.0.0-rc7'],
      distributionFixes: [],
      mitigations: ['userns-host-root-unmapped', 'readonly-rootfs'],
      mitigationNote:
        'Needs root in the container mapped to a uid that may write the runc binary: a user namespace with host root unmapped stops it (the advisory says so); a read-only root keeps the container from replacing the binaries that docker exec runs.',
      sources: [
        'https://www.openwall.com/lists/oss-security/2019/02/11/2',
        'https://github.com/opencontainers/runc/releases/tag/v1.0.0-rc7',
      ],
    },
    {
      id: 'CVE-2024-21626',
      component: 'runc',
      severity: 'high',
      summary:
        'runc leaks a host file descriptor (/sys/fs/cgroup) into the container process, so a working directory (image WORKDIR or runc exec --cwd) can resolve into the host filesystem ("Leaky Vessels").',
      introduced: '1.0.0-rc93',
      fixed: ['1.1.12'],
      distributionFixes: [
        {
          distribution: 'debian',
          release: 'bookworm',
          version: '1.1.5+ds1-1+deb12u1',
          source: `${DEBIAN_RUNC}, 2024-02-02: "CVE-2024-21626: several container breakouts due to internally leaked fds"`,
        },
      ],
      mitigations: ['userns-host-root-unmapped', 'readonly-rootfs'],
      mitigationNote:
        'A host path reached through the leaked descriptor is accessed as the container user: with host root unmapped, root-owned host files stay out of reach; agentd sets the working directory itself and runs only its own runner image.',
      sources: [
        'https://github.com/opencontainers/runc/security/advisories/GHSA-xr7r-f8xq-vfvv',
        DEBIAN_RUNC,
      ],
    },
    {
      id: 'CVE-2024-45310',
      component: 'runc',
      severity: 'low',
      summary:
        'By racing runc’s mount setup through a volume shared with another container, a malicious container can make runc create empty files or directories at arbitrary host paths.',
      fixed: ['1.1.14', '1.2.0-rc.3'],
      distributionFixes: [],
      mitigations: ['no-shared-volumes', 'userns-host-root-unmapped'],
      mitigationNote:
        'The race needs a volume shared between two containers; with user namespaces the inodes can only be created where the remapped root may write (the advisory says so).',
      sources: [
        'https://github.com/opencontainers/runc/security/advisories/GHSA-jfvp-7x6p-h2pv',
        'https://github.com/opencontainers/runc/releases/tag/v1.1.14',
        `${DEBIAN_RUNC}: no entry up to 1.1.5+ds1-1+deb12u1`,
      ],
    },
    {
      id: 'CVE-2025-31133',
      component: 'runc',
      severity: 'high',
      summary:
        'runc masks paths by bind-mounting /dev/null; a container that races /dev/null into a symlink gets an arbitrary procfs file (core_pattern, sysrq-trigger) mounted writable: host escape or denial of service.',
      fixed: RUNC_2025,
      distributionFixes: [],
      mitigations: ['userns-host-root-unmapped', 'readonly-rootfs'],
      mitigationNote:
        'The procfs files the attack reaches are owned by host root: with host root unmapped, container root cannot write them even once mounted (the advisory says so). The attack needs control of the image or its mounts at create time; agentd starts only its runner image.',
      sources: [
        'https://github.com/opencontainers/runc/security/advisories/GHSA-9493-h29p-rfm2',
        'https://github.com/opencontainers/runc/releases/tag/v1.2.8',
        `${DEBIAN_RUNC}: no entry up to 1.1.5+ds1-1+deb12u1`,
      ],
    },
    {
      id: 'CVE-2025-52565',
      component: 'runc',
      severity: 'high',
      summary:
        'The /dev/console bind mount can be redirected by a symlink race before runc’s protections apply, giving the container a writable procfs file: host escape or denial of service.',
      introduced: '1.0.0-rc3',
      fixed: RUNC_2025,
      distributionFixes: [],
      mitigations: ['userns-host-root-unmapped', 'readonly-rootfs'],
      mitigationNote:
        'As CVE-2025-31133: the procfs files reached are owned by host root, so unmapped host root cannot write them; it needs control of the container at create time.',
      sources: [
        'https://github.com/opencontainers/runc/security/advisories/GHSA-qw9x-cqr3-wc7r',
        'https://github.com/opencontainers/runc/releases/tag/v1.2.8',
        `${DEBIAN_RUNC}: no entry up to 1.1.5+ds1-1+deb12u1`,
      ],
    },
    {
      id: 'CVE-2025-52881',
      component: 'runc',
      severity: 'high',
      summary:
        'Racing mounts (shared mounts between containers) redirect runc’s own writes to /proc to attacker-chosen procfs files: LSM labels are bypassed and writes such as /proc/sysrq-trigger reach the host.',
      fixed: RUNC_2025,
      distributionFixes: [],
      mitigations: ['userns-host-root-unmapped', 'no-shared-volumes'],
      mitigationNote:
        'The redirect needs mounts shared with another container; the host procfs files it writes are owned by host root, which an unmapped user namespace cannot act as.',
      sources: [
        'https://github.com/opencontainers/runc/security/advisories/GHSA-cgrx-mc8f-2prm',
        'https://github.com/opencontainers/runc/releases/tag/v1.2.8',
        `${DEBIAN_RUNC}: no entry up to 1.1.5+ds1-1+deb12u1`,
      ],
    },
    {
      id: 'CVE-2024-40635',
      component: 'containerd',
      severity: 'medium',
      summary:
        'A container started with a User uid:gid above 2147483647 overflows and runs as root (uid 0) instead of the requested unprivileged user.',
      fixed: ['1.6.38', '1.7.27', '2.0.4'],
      distributionFixes: [
        {
          distribution: 'debian',
          release: 'bookworm',
          version: '1.6.20~ds1-1+deb12u2',
          source: `${DEBIAN_CONTAINERD}, deb12u2: "Fix large UID:GID (> 32bit) overflow, Fixes: CVE-2024-40635"`,
        },
      ],
      mitigations: ['userns-host-root-unmapped'],
      mitigationNote:
        'agentd always sets User 1000:1000; and even root in the container is not host root when user namespaces leave host root unmapped.',
      sources: ['https://github.com/containerd/containerd/security/advisories/GHSA-265r-hfxg-fhmg'],
    },
    {
      id: 'CVE-2024-25621',
      component: 'containerd',
      severity: 'high',
      summary:
        'containerd creates /var/lib/containerd (0711) and its CRI and shim directories (0755) too broadly, so local users on the host can reach container contents and volumes.',
      fixed: ['1.7.29', '2.0.7', '2.1.5', '2.2.0'],
      distributionFixes: [
        {
          distribution: 'debian',
          release: 'bookworm',
          version: '1.6.20~ds1-1+deb12u2',
          source: `${DEBIAN_CONTAINERD}, deb12u2: "Fix overly broad directory permissions, Fixes: CVE-2024-25621"`,
        },
      ],
      mitigations: [],
      mitigationNote:
        'A flaw for local users of the host, not for code in a sandbox: no sandbox property helps; restrict the directories (chmod 0700) or upgrade.',
      sources: [
        'https://github.com/containerd/containerd/security/advisories/GHSA-pwhc-rpq9-4c8w',
        DEBIAN_CONTAINERD,
      ],
    },
  ],
};
