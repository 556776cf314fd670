import { setTimeout as delay } from 'node:timers/promises';
import { CgroupReader } from '../../orchestrator/src/docker/cgroup-reader.js';
import type { TestDaemon } from '../support/test-daemon.js';

/** Small limits, so a hostile run cannot take the (shared, 2-core) machine with it. */
export const SMALL_LIMITS = { nanoCpus: 250_000_000, pidsLimit: 128, nproc: 128 };

/** What a hostile run leaves behind through the bash tool: a busy loop in its own session, a sleeper, a fork bomb. */
export const LEFTOVERS = [
  "nohup setsid sh -c 'while :; do :; done' >/dev/null 2>&1 &",
  'nohup sleep 1000 >/dev/null 2>&1 &',
  "nohup sh -c 'b() { b | b & }; b' >/dev/null 2>&1 &",
  'echo started',
].join('\n');

const PORT = 8765;
const GET = `python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${PORT}/',timeout=2).read().decode())"`;
/** Starts an HTTP server on 127.0.0.1 in the background and waits until it answers. */
export const SERVE = [
  `cd /tmp && nohup python3 -m http.server ${PORT} --bind 127.0.0.1 >/dev/null 2>&1 &`,
  `for i in $(seq 100); do ${GET} >/dev/null 2>&1 && echo up && break; sleep 0.1; done`,
].join('\n');
export const FETCH = `${GET} 2>&1 | head -c 300`;

const cgroup = new CgroupReader();

/** Cores the container used over a short window, read from its cgroup on the host. */
export async function idleCores(containerId: string, windowMs = 500): Promise<number> {
  const before = await cgroup.cpuUsageNs(containerId);
  const start = performance.now();
  await delay(windowMs); // a measuring window, not a synchronisation
  const after = await cgroup.cpuUsageNs(containerId);
  if (before === undefined || after === undefined) throw new Error(`no cgroup for ${containerId}`);
  return (after - before) / 1e6 / (performance.now() - start);
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(50);
  }
}

/** The engine's state of a container (running, paused, …), undefined when it is gone. */
export async function containerState(d: TestDaemon, containerId: string): Promise<string | undefined> {
  return (await d.docker.containers.listManaged()).find((c) => c.id === containerId)?.state;
}
