/**
 * Where the CPU went while a benchmark section ran: this thread, a set of containers (from their cgroups,
 * when this host exposes them) and the whole host (/proc/stat), so a table can say what the bottleneck was.
 */
import { readFileSync } from 'node:fs';
import { clockMs } from './sse-reader-worker.js';

export interface CpuSnapshot {
  at: number;
  threadUs: number;
  /** Time this thread was ready to run but waited for a CPU (schedstat), or undefined. */
  threadWaitUs: number | undefined;
  containersUs: number | undefined;
  hostBusy: number;
  hostTotal: number;
}

/** CPU over the measured sections, each as a number of CPUs (1 = one core fully busy). */
export interface CpuUse {
  seconds: number;
  /** This thread. */
  thread: number;
  /**
   * How long this thread was ready to run but waited for a CPU, in the same unit (0.2 = a fifth of the time):
   * on a contended host, what it lost to other threads. Undefined where the kernel keeps no schedstat.
   */
  threadWaiting: number | undefined;
  /** The watched containers together; undefined when their cgroups cannot be read here. */
  containers: number | undefined;
  /** Everything on the host. */
  host: number;
}

/** Accumulates CPU use over one or more start/stop sections. */
export class CpuMeter {
  #ms = 0;
  #threadUs = 0;
  #threadWaitUs: number | undefined = 0;
  #containersUs: number | undefined = 0;
  #hostBusy = 0;
  #hostTotal = 0;
  #started: CpuSnapshot | undefined;

  /** `containerIds`: full ids of the containers to count. */
  constructor(private readonly containerIds: readonly string[]) {}

  start(): void {
    this.#started = snapshot(this.containerIds);
  }

  stop(): void {
    const a = this.#started;
    if (!a) return;
    const b = snapshot(this.containerIds);
    this.#started = undefined;
    this.#ms += b.at - a.at;
    this.#threadUs += b.threadUs - a.threadUs;
    this.#threadWaitUs =
      this.#threadWaitUs === undefined || a.threadWaitUs === undefined || b.threadWaitUs === undefined
        ? undefined
        : this.#threadWaitUs + b.threadWaitUs - a.threadWaitUs;
    this.#containersUs =
      this.#containersUs === undefined || a.containersUs === undefined || b.containersUs === undefined
        ? undefined
        : this.#containersUs + b.containersUs - a.containersUs;
    this.#hostBusy += b.hostBusy - a.hostBusy;
    this.#hostTotal += b.hostTotal - a.hostTotal;
  }

  use(): CpuUse {
    const seconds = this.#ms / 1000;
    const cpus = (us: number): number => us / 1e6 / seconds;
    return {
      seconds,
      thread: cpus(this.#threadUs),
      threadWaiting: this.#threadWaitUs === undefined ? undefined : cpus(this.#threadWaitUs),
      containers: this.#containersUs === undefined ? undefined : cpus(this.#containersUs),
      host: (this.#hostBusy / Math.max(1, this.#hostTotal)) * cpuCount(),
    };
  }
}

/**
 * This thread's and the host's CPU counters sampled every few ms while it runs, so that the use over a window
 * known only afterwards (a stream's first to last event, stamped by its reader) can be read off: each counter is
 * interpolated at the window's ends between the samples around them. The samples are taken on this thread, by
 * a timer, so a busy thread spaces them further apart; the use between two samples is taken as even.
 */
export class CpuTimeline {
  #samples: CpuSnapshot[] = [];
  #timer: NodeJS.Timeout | undefined;

  /** `sample`: the counters now (the real ones, stamped with `clockMs()`, unless a test passes its own). */
  constructor(private readonly sample: () => CpuSnapshot = timelineSnapshot) {}

  start(everyMs: number): void {
    this.#samples = [this.sample()];
    this.#timer = setInterval(() => this.#samples.push(this.sample()), everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#samples.push(this.sample());
  }

  /** The use between two `clockMs()` instants within the sampled span, or undefined outside it. */
  between(from: number, to: number): CpuUse | undefined {
    const a = this.#at(from);
    const b = this.#at(to);
    if (!a || !b || !(to > from)) return undefined;
    const seconds = (to - from) / 1000;
    const cpus = (us: number): number => us / 1e6 / seconds;
    return {
      seconds,
      thread: cpus(b.threadUs - a.threadUs),
      threadWaiting:
        a.threadWaitUs === undefined || b.threadWaitUs === undefined
          ? undefined
          : cpus(b.threadWaitUs - a.threadWaitUs),
      containers: undefined,
      host: ((b.hostBusy - a.hostBusy) / Math.max(1, b.hostTotal - a.hostTotal)) * cpuCount(),
    };
  }

  #at(when: number): CpuSnapshot | undefined {
    const samples = this.#samples;
    const next = samples.findIndex((s) => s.at >= when);
    if (next < 0) return undefined;
    const after = samples[next] as CpuSnapshot;
    if (after.at === when) return after;
    const before = samples[next - 1];
    if (!before) return undefined;
    const f = (when - before.at) / (after.at - before.at);
    const mix = (x: number, y: number): number => x + (y - x) * f;
    return {
      at: when,
      threadUs: mix(before.threadUs, after.threadUs),
      threadWaitUs:
        before.threadWaitUs === undefined || after.threadWaitUs === undefined
          ? undefined
          : mix(before.threadWaitUs, after.threadWaitUs),
      containersUs: undefined,
      hostBusy: mix(before.hostBusy, after.hostBusy),
      hostTotal: mix(before.hostTotal, after.hostTotal),
    };
  }
}

/** A snapshot stamped with `clockMs()` (the readers' clock), without containers. */
function timelineSnapshot(): CpuSnapshot {
  return { ...snapshot([]), at: clockMs() };
}

function snapshot(containerIds: readonly string[]): CpuSnapshot {
  const thread = process.threadCpuUsage();
  return {
    at: performance.now(),
    threadUs: thread.user + thread.system,
    threadWaitUs: threadWaitUs(),
    containersUs: containersUs(containerIds),
    ...hostJiffies(),
  };
}

/** The second field of /proc/thread-self/schedstat: ns spent runnable on a run queue, not running. */
function threadWaitUs(): number | undefined {
  try {
    const waitNs = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(waitNs) ? waitNs / 1000 : undefined;
  } catch {
    return undefined;
  }
}

function cpuCount(): number {
  return Math.max(
    1,
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d+ /.test(l)).length,
  );
}

/** Busy and total jiffies of all CPUs (idle and iowait count as not busy). */
function hostJiffies(): { hostBusy: number; hostTotal: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const fields = first.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, x) => sum + x, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { hostBusy: total - idle, hostTotal: total };
}

/** Sum of the containers' CPU time from cgroup v1 (cpuacct) or v2 (cpu.stat), or undefined. */
function containersUs(ids: readonly string[]): number | undefined {
  if (ids.length === 0) return undefined;
  let sum = 0;
  for (const id of ids) {
    const us = containerUs(id);
    if (us === undefined) return undefined;
    sum += us;
  }
  return sum;
}

function containerUs(id: string): number | undefined {
  const v1 = readNumber(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`);
  if (v1 !== undefined) return v1 / 1000;
  for (const dir of [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`]) {
    try {
      const match = /^usage_usec (\d+)$/m.exec(readFileSync(`${dir}/cpu.stat`, 'utf8'));
      if (match) return Number(match[1]);
    } catch {
      // Not this layout.
    }
  }
  return undefined;
}

function readNumber(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}
