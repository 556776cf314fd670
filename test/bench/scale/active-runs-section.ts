/**
 * Concurrent active runs at a realistic model pace: the scripted model streams ~50 deltas/s (one word each 20
 * ms) and calls a tool (bash) every ~2 s. Each conversation already has its sandbox (primed by a first
 * message), so the curve measures the run path (lock, sandbox reuse, model relay, event log, SSE), not
 * container starts. Streams are read in a worker thread, so the daemon's event loop (this thread) only runs
 * agentd. The baseline is one run alone, measured in the same run of the section.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestDaemon, type TestDaemon } from '../../support/test-daemon.js';
import type { BenchResult } from '../results.js';
import { SseReaderWorker, type ReadResult } from '../sse-reader-worker.js';
import { percentile } from '../stats.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';
import { growthHeadline } from './headlines.js';

/** 20 ms between deltas: ~50 deltas/s, a fast model's pace. */
const DELTA_MS = 20;
const PRIME_CONCURRENCY = 8;

const metrics = [
  { key: 'firstP50', label: 'first model event p50', unit: 'ms', growth: true },
  { key: 'firstP99', label: 'first model event p99', unit: 'ms', growth: true },
  { key: 'addedPerEvent', label: 'added per event vs a lone run', unit: 'ms', growth: true },
  { key: 'lateP99', label: 'event-loop lateness p99', unit: 'ms', growth: true },
  { key: 'lateMax', label: 'event-loop lateness max', unit: 'ms', growth: true },
  { key: 'runsPerS', label: 'runs/s', unit: 'runs/s', growth: false },
  { key: 'failed', label: 'failed runs', unit: 'runs', growth: false },
] as const;

/** Three model turns: 2 s of text and a bash call, again, then 1 s of text (`words` scales it down). */
function script(words: number): string {
  const tool = '@tool bash {"command":"true"}';
  return [
    `@repeat ${words} tok`,
    tool,
    `@repeat ${words} tok`,
    tool,
    `@repeat ${Math.ceil(words / 2)} tok`,
  ].join('\n');
}

interface Conversations {
  tenantId: string;
  urls: string[];
}

async function conversations(daemon: TestDaemon, n: number, into: Conversations): Promise<void> {
  while (into.urls.length < n) {
    const c = await daemon.api('POST', `/api/tenants/${into.tenantId}/conversations`, {});
    if (c.status !== 201 && c.status !== 200) throw new Error(`creating a conversation answered ${c.status}`);
    into.urls.push(
      `${daemon.url ?? ''}/api/tenants/${into.tenantId}/conversations/${c.body.id as string}/stream`,
    );
  }
}

/** Why a run failed, or undefined when it streamed to its end without an error. */
function failure(result: ReadResult): string | undefined {
  if (result.status === 200 && result.done && result.errors.length === 0) return undefined;
  return `run answered ${result.status}${result.done ? '' : ' without : done'} ${result.errors.join(' ')} ${result.errorBody ?? ''}`;
}

function check(result: ReadResult): void {
  const why = failure(result);
  if (why !== undefined) throw new Error(why);
}

export const section: ScaleSection = {
  name: 'active-runs',
  sizes: { full: [10, 50, 200], smoke: [1, 2] },
  async run(sizes, options) {
    const largest = Math.max(...sizes);
    const words = options.smoke ? 10 : 100;
    const daemon = await startTestDaemon({
      env: {
        AGENTD_SCRIPTED_DELAY_MS: String(DELTA_MS),
        AGENTD_MAX_SANDBOXES_PER_NODE: String(largest + 10),
        AGENTD_MAX_SANDBOXES_PER_TENANT: String(largest + 10),
      },
    });
    const reader = SseReaderWorker.start();
    const headers = { 'x-api-key': daemon.adminKey };
    const read = (url: string, message: string): Promise<ReadResult> =>
      reader.read({ url, headers, body: JSON.stringify({ message }) });
    const points: CurvePoint[] = [];
    const failed: string[] = [];
    try {
      const tenant = await daemon.api('POST', '/api/tenants', { name: 'scale-runs' });
      const convs: Conversations = { tenantId: tenant.body.id as string, urls: [] };
      let primed = 0;
      const prime = async (n: number): Promise<void> => {
        await conversations(daemon, n, convs);
        const worker = async (): Promise<void> => {
          while (primed < n) check(await read(convs.urls[primed++] ?? '', '@say ready'));
        };
        await Promise.all(Array.from({ length: PRIME_CONCURRENCY }, worker));
      };
      await prime(1);
      const lone: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await read(convs.urls[0] ?? '', script(words));
        check(r);
        lone.push((r.arrivals.at(-1) ?? 0) - r.sentAt);
      }
      const loneMs = percentile(lone, 50);
      options.log(`a lone run takes ${loneMs.toFixed(0)} ms`);
      for (const size of sizes) {
        const t0 = performance.now();
        await prime(size);
        options.log(
          `${size} conversations with a sandbox in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
        );
        const delay = monitorEventLoopDelay({ resolution: 10 });
        delay.enable();
        const results = await Promise.all(convs.urls.slice(0, size).map((url) => read(url, script(words))));
        delay.disable();
        // A failed run is counted and reported, not averaged in: the curve still shows the ones that worked.
        const failures = results.flatMap((r) => failure(r) ?? []);
        for (const why of new Set(failures)) options.log(`${size}: ${why}`);
        const ok = results.filter((r) => failure(r) === undefined);
        if (ok.length === 0) throw new Error(`every run of ${size} failed: ${failures[0] ?? ''}`);
        const first = ok.map((r) => {
          const i = r.types.indexOf('text');
          if (i < 0) throw new Error('a run streamed no text');
          return (r.arrivals[i] ?? 0) - r.sentAt;
        });
        const durations = ok.map((r) => (r.arrivals.at(-1) ?? 0) - r.sentAt);
        const events = percentile(
          ok.map((r) => r.types.length),
          50,
        );
        const start = Math.min(...results.map((r) => r.sentAt));
        const end = Math.max(...results.map((r) => r.arrivals.at(-1) ?? 0));
        const values = {
          firstP50: percentile(first, 50),
          firstP99: percentile(first, 99),
          addedPerEvent: (percentile(durations, 50) - loneMs) / events,
          lateP99: delay.percentile(99) / 1e6,
          lateMax: delay.max / 1e6,
          runsPerS: ok.length / ((end - start) / 1000),
          failed: failures.length,
        };
        if (failures.length > 0)
          failed.push(`${size}: ${failures.length} failed (${[...new Set(failures)].join('; ')})`);
        options.log(`${size}: ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      await reader.close();
      await daemon.destroy();
    }
    return {
      title: `Concurrent active runs (${1000 / DELTA_MS} deltas/s, a bash call every ~${(words * DELTA_MS) / 1000} s)`,
      sizeLabel: 'concurrent runs',
      metrics,
      points,
      notes: [
        'First model event: from the request to the first text delta at the client. Added per event: the p50 run ' +
          'duration minus a lone run’s, over the events per run. Event-loop lateness: the daemon thread’s timer ' +
          'delay (10 ms resolution) while the runs stream. runs/s: runs that completed over the wall time of the ' +
          'batch. Failed runs are left out of the other figures.',
        ...failed.map((f) => `Failed runs at ${f}`),
      ],
    } satisfies Curve;
  },
  headlines(curve) {
    const out: BenchResult[] = [];
    for (const m of metrics.filter((x) => x.growth && x.key !== 'lateMax')) {
      const headline = growthHeadline('scale: active runs', curve, m);
      if (headline) out.push(headline);
    }
    return out;
  },
};
