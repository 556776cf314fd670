import { verdict, type HardeningRule } from './hardening-rule.js';
import { TMPFS_MOUNTS } from './hardened-spec.js';
import { LABELS } from './labels.js';

const REQUIRED_LABELS = [LABELS.managed, LABELS.node, LABELS.profile, LABELS.created, LABELS.sandboxId];
const REQUIRED_ULIMITS = ['nofile', 'nproc', 'fsize'];

export const memoryLimited: HardeningRule = {
  id: 'memory',
  cis: '5.10',
  title: 'Memory limited, no swap',
  expected: 'Memory > 0 and MemorySwap = Memory',
  check: (c) =>
    verdict(c.memory > 0 && c.memorySwap === c.memory, `Memory ${c.memory}, MemorySwap ${c.memorySwap}`),
};

export const cpuLimited: HardeningRule = {
  id: 'cpu',
  cis: '5.11',
  title: 'CPU limited',
  expected: 'NanoCpus > 0',
  check: (c) => verdict(c.nanoCpus > 0 || c.cpuQuota > 0, `NanoCpus ${c.nanoCpus}`),
};

export const boundedRestarts: HardeningRule = {
  id: 'restart',
  cis: '5.14',
  title: 'No unbounded restarts',
  expected: "'no' or on-failure ≤ 5",
  check: (c) => {
    const { name, maximumRetryCount } = c.restartPolicy;
    return verdict(
      name === 'no' || name === '' || (name === 'on-failure' && maximumRetryCount <= 5),
      name || 'no',
    );
  },
};

export const ulimitsSet: HardeningRule = {
  id: 'ulimits',
  cis: '5.18',
  title: 'ulimits set (nofile, nproc, fsize; core 0)',
  expected: 'nofile, nproc, fsize, core=0',
  check: (c) => {
    const hard = new Map(c.ulimits.map((u) => [u.name, u.hard]));
    return verdict(
      REQUIRED_ULIMITS.every((n) => hard.has(n)) && hard.get('core') === 0,
      [...hard].map(([n, v]) => `${n}=${v}`).join(', ') || 'none',
    );
  },
};

export const cgroupParentDefault: HardeningRule = {
  id: 'cgroup-parent',
  cis: '5.24',
  title: 'Default cgroup parent',
  expected: 'default',
  check: (c) => verdict(c.cgroupParent === '', c.cgroupParent || 'default'),
};

export const healthcheck: HardeningRule = {
  id: 'healthcheck',
  cis: '5.26',
  title: 'Health check',
  expected: 'liveness checked',
  check: () =>
    verdict(
      'not_applicable',
      'not applicable: agentd checks the runner over its call-home socket (ping job), not with an engine HEALTHCHECK',
    ),
};

export const pidsLimited: HardeningRule = {
  id: 'pids',
  cis: '5.28',
  title: 'PIDs limited',
  expected: 'PidsLimit > 0',
  check: (c) => verdict((c.pidsLimit ?? 0) > 0, String(c.pidsLimit ?? 'unlimited')),
};

/** Only /workspace, /tmp and /skills are writable; unsized they could fill host memory, suid binaries there escalate. */
export const sizedTmpfs: HardeningRule = {
  id: 'tmpfs',
  title: '/workspace, /tmp and /skills are sized tmpfs (nosuid, nodev)',
  expected: 'size=, nosuid, nodev',
  check: (c) => {
    const targets = Object.keys(c.tmpfs).sort();
    const ok =
      targets.join(',') === [...TMPFS_MOUNTS].sort().join(',') &&
      Object.values(c.tmpfs).every(
        (o) => /(^|,)size=\d+/.test(o) && o.includes('nosuid') && o.includes('nodev'),
      );
    return verdict(ok, JSON.stringify(c.tmpfs));
  },
};

/** agentd finds, reconciles and removes only what carries its labels. */
export const agentdLabels: HardeningRule = {
  id: 'labels',
  title: 'agentd labels present',
  expected: REQUIRED_LABELS.join(', '),
  check: (c) => {
    const missing = REQUIRED_LABELS.filter((l) => !c.labels[l]);
    const managed = c.labels[LABELS.managed] === 'true';
    const actual =
      missing.length > 0
        ? `missing ${missing.join(', ')}`
        : managed
          ? 'all present'
          : `${LABELS.managed} is not true`;
    return verdict(missing.length === 0 && managed, actual);
  },
};

export const initProcess: HardeningRule = {
  id: 'init',
  title: 'An init process reaps zombies and forwards signals',
  expected: 'Init true',
  check: (c) => verdict(c.init, `Init ${String(c.init)}`),
};

/** With the OOM killer disabled a sandbox at its memory limit hangs instead of dying. */
export const oomKillEnabled: HardeningRule = {
  id: 'oom-kill',
  title: 'OOM killer not disabled',
  expected: 'OomKillDisable false',
  check: (c) => verdict(!c.oomKillDisable, `OomKillDisable ${String(c.oomKillDisable)}`),
};

/** Unbounded logs let a sandbox fill the host disk by writing to stdout. */
export const boundedLogs: HardeningRule = {
  id: 'logging',
  title: 'Container logs bounded (json-file, max-size)',
  expected: 'json-file with max-size',
  check: (c) => {
    const maxSize = c.logConfig.config['max-size'];
    return verdict(
      c.logConfig.type === 'json-file' && Boolean(maxSize),
      `${c.logConfig.type || 'engine default'}${maxSize ? ` max-size=${maxSize}` : ''}`,
    );
  },
};
