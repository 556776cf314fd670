import type { ContainerConfigView } from './container-config-view.js';
import { verdict, type HardeningRule } from './hardening-rule.js';
import { SANDBOX_USER, SOCKET_MOUNT_POINT } from './hardened-spec.js';

const SHARED_NAMESPACE = /^(host|container:)/;
const SENSITIVE =
  /^\/(|etc|boot|dev|lib|proc|sys|usr|bin|sbin|var\/run|run|var\/lib\/docker)(\/|$)|docker\.sock|containerd\.sock/;
const ENGINE_SOCKET = /docker\.sock|containerd\.sock/;
const SECCOMP_UNCONFINED = /^seccomp[=:]unconfined$/;

const portCount = (c: ContainerConfigView): number => c.portBindings.length + c.exposedPorts.length;

const seccompOptions = (c: ContainerConfigView): string[] =>
  c.securityOpt.filter((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'));

export const capsDropped: HardeningRule = {
  id: 'caps.dropped',
  cis: '5.3',
  title: 'All capabilities dropped, none added',
  expected: 'CapDrop [ALL], CapAdd []',
  check: (c) =>
    verdict(
      c.capDrop.includes('ALL') && c.capAdd.length === 0,
      `CapDrop ${JSON.stringify(c.capDrop)}, CapAdd ${JSON.stringify(c.capAdd)}`,
    ),
};

export const notPrivileged: HardeningRule = {
  id: 'privileged',
  cis: '5.4',
  title: 'Not privileged',
  expected: 'false',
  check: (c) => verdict(!c.privileged, String(c.privileged)),
};

/** The socket dir is the one host path a sandbox sees; anything else could leak or overwrite host files. */
export const onlySocketMount: HardeningRule = {
  id: 'mounts.host',
  cis: '5.5',
  title: 'No sensitive host directories; the socket dir read-only',
  expected: `one read-only bind at ${SOCKET_MOUNT_POINT}`,
  check: (c) => {
    const ok =
      c.mounts.length === 1 &&
      c.mounts.every(
        (m) =>
          m.type === 'bind' && m.target === SOCKET_MOUNT_POINT && m.readOnly && !SENSITIVE.test(m.source),
      ) &&
      c.binds.length === 0 &&
      c.volumesFrom.length === 0 &&
      c.volumes.length === 0;
    const mounts = c.mounts.map((m) => `${m.source || '?'}:${m.target || '?'}${m.readOnly ? ':ro' : ':rw'}`);
    const extra = [
      c.binds.length > 0 ? `Binds ${JSON.stringify(c.binds)}` : '',
      c.volumesFrom.length > 0 ? `VolumesFrom ${JSON.stringify(c.volumesFrom)}` : '',
      c.volumes.length > 0 ? `Volumes ${JSON.stringify(c.volumes)}` : '',
    ].filter(Boolean);
    return verdict(ok, [mounts.join(', ') || 'none', ...extra].join('; '));
  },
};

export const ownNamespace = (
  id: string,
  cis: string | undefined,
  title: string,
  mode: (c: ContainerConfigView) => string,
): HardeningRule => ({
  id,
  ...(cis ? { cis } : {}),
  title,
  expected: 'private',
  check: (c) => verdict(!SHARED_NAMESPACE.test(mode(c)), mode(c) || 'private'),
});

export const ownCgroupNamespace: HardeningRule = {
  id: 'ns.cgroup',
  title: 'Own cgroup namespace',
  expected: 'private',
  check: (c) => verdict(c.cgroupnsMode === 'private', c.cgroupnsMode || 'engine default'),
};

export const noDevices: HardeningRule = {
  id: 'devices',
  cis: '5.17',
  title: 'No host devices',
  expected: 'none',
  check: (c) => {
    const count = c.devices.length + c.deviceRequests;
    return verdict(count === 0, `${count}`);
  },
};

export const propagationPrivate: HardeningRule = {
  id: 'mounts.propagation',
  cis: '5.19',
  title: 'Mount propagation not shared',
  expected: 'private',
  check: (c) => {
    const shared = c.mounts.some((m) => /shared/.test(m.propagation));
    return verdict(!shared, shared ? 'shared' : 'private');
  },
};

export const seccompProfile: HardeningRule = {
  id: 'seccomp.profile',
  cis: '5.21',
  title: 'A seccomp profile, not unconfined',
  expected: 'seccomp=<agentd profile>',
  check: (c) => {
    const options = seccompOptions(c);
    const unconfined = options.some((o) => SECCOMP_UNCONFINED.test(o));
    const actual =
      options.length === 0
        ? 'engine default'
        : unconfined
          ? 'unconfined'
          : options.length > 1
            ? `${options.length} seccomp options`
            : 'custom profile';
    return verdict(options.length === 1 && !unconfined, actual);
  },
};

export const noNewPrivileges: HardeningRule = {
  id: 'no-new-privileges',
  cis: '5.25',
  title: 'no-new-privileges set',
  expected: 'no-new-privileges:true',
  check: (c) =>
    verdict(
      c.securityOpt.some((o) => /^no-new-privileges(:true)?$/.test(o)),
      c.securityOpt.filter((o) => !o.startsWith('seccomp')).join(', ') || 'none',
    ),
};

/** Docker knows only '' (remapped by the engine) and 'host'; anything but '' is refused. */
export const usernsNotHost: HardeningRule = {
  id: 'userns.mode',
  cis: '5.30',
  title: 'Not sharing the host user namespace',
  expected: 'not host',
  check: (c) => verdict(c.usernsMode === '', c.usernsMode || 'engine default (remapped)'),
};

export const engineSocketNotMounted: HardeningRule = {
  id: 'engine-socket',
  cis: '5.31',
  title: 'Docker socket not mounted',
  expected: 'not mounted',
  check: (c) => {
    const mounted =
      c.mounts.some((m) => ENGINE_SOCKET.test(`${m.source}${m.target}`)) ||
      c.binds.some((b) => ENGINE_SOCKET.test(b));
    return verdict(!mounted, mounted ? 'mounted' : 'not mounted');
  },
};

export const sandboxUser: HardeningRule = {
  id: 'user',
  title: 'Runs as uid 1000',
  expected: SANDBOX_USER,
  check: (c) => verdict(c.user === SANDBOX_USER, c.user || 'image default (root)'),
};

/** `apparmor=unconfined` or a `label=` option would switch off the kernel's mandatory access control. */
export const lsmNotDisabled: HardeningRule = {
  id: 'lsm.not-disabled',
  title: 'AppArmor and SELinux not disabled through SecurityOpt',
  expected: 'no apparmor=unconfined, no label options',
  check: (c) => {
    const offending = c.securityOpt.filter(
      (o) => /^apparmor[=:]unconfined$/.test(o) || o.startsWith('label'),
    );
    return verdict(offending.length === 0, offending.join(', ') || 'none');
  },
};

export const noPorts: HardeningRule = {
  id: 'ports',
  cis: '5.7, 5.8',
  title: 'No ports published or exposed',
  expected: 'none',
  check: (c) => {
    const ports = portCount(c);
    const actual = ports === 0 ? 'none' : `${ports} port(s)`;
    return verdict(
      ports === 0 && !c.publishAllPorts,
      c.publishAllPorts ? `${actual}, PublishAllPorts` : actual,
    );
  },
};

export const noNetwork: HardeningRule = {
  id: 'network',
  cis: '5.9, 5.29',
  title: 'No network (NetworkMode none)',
  expected: 'none',
  check: (c) => {
    const mode = c.networkMode || 'default';
    return verdict(
      c.networkMode === 'none' && c.networkDisabled,
      c.networkDisabled ? mode : `${mode}, networking not disabled`,
    );
  },
};

export const notBoundToHostInterface: HardeningRule = {
  id: 'host-interface',
  cis: '5.13',
  title: 'Not bound to a host interface',
  expected: 'no bindings',
  check: (c) =>
    c.networkMode === 'none'
      ? verdict('not_applicable', 'not applicable: no network at all')
      : verdict(portCount(c) === 0, `${portCount(c)} bindings`),
};

export const readonlyRootfs: HardeningRule = {
  id: 'rootfs.readonly',
  cis: '5.12',
  title: 'Read-only root filesystem',
  expected: 'true',
  check: (c) => verdict(c.readonlyRootfs, String(c.readonlyRootfs)),
};
