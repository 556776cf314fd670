/**
 * Event log: a client resumes a run from its start (`GET .../runs/{runId}/events`, `Last-Event-ID: 0`) after
 * runs of 5,000 / 20,000 / 50,000 events, with the event log in Redis (as on a fleet, where the resume may
 * land on any node). Per size: time to the first replayed event, time to the whole replay, and the replay's
 * rate. The run itself is the scripted model saying one word per event (deltas not joined), unpaced.
 */
import { sse } from '../../support/sse-client.js';
import { startTestDaemon } from '../../support/test-daemon.js';
import { percentile } from '../stats.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';

const RESUMES = 3;
/** Room above the largest run for its other events (run_start, steps, final, usage). */
const LOG_HEADROOM = 100;

const metrics = [
  { key: 'firstMs', label: 'resume: first event p50', unit: 'ms', growth: true },
  { key: 'allMs', label: 'resume: whole replay p50', unit: 'ms', growth: true },
  { key: 'eventsPerS', label: 'replay rate', unit: 'events/s', growth: false },
  { key: 'runMs', label: 'the run itself', unit: 'ms', growth: true },
] as const;

export const section: ScaleSection = {
  name: 'event-log',
  sizes: { full: [5_000, 20_000, 50_000], smoke: [200, 1_000] },
  async run(sizes, options) {
    const daemon = await startTestDaemon({
      env: {
        REDIS_URL: 'redis://127.0.0.1:6379',
        // One event per model delta (by default a fast model's deltas are joined into fewer events).
        AGENTD_MODEL_DELTA_WINDOW: '0',
        AGENTD_EVENT_LOG_MAX_EVENTS: String(Math.max(...sizes) + LOG_HEADROOM),
      },
    });
    const headers = { 'x-api-key': daemon.adminKey };
    const points: CurvePoint[] = [];
    try {
      const tenantId = (await daemon.api('POST', '/api/tenants', { name: 'scale-event-log' })).body
        .id as string;
      for (const size of sizes) {
        const id = (await daemon.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
        const base = `${daemon.url}/api/tenants/${tenantId}/conversations/${id}`;
        const t0 = performance.now();
        const produced = await sse(`${base}/stream`, { body: { message: `@repeat ${size} tok` }, headers });
        const runMs = performance.now() - t0;
        const runId = produced.headers.get('x-run-id');
        if (!produced.done || !runId)
          throw new Error(`the run did not finish: ${JSON.stringify(produced.error)}`);
        const total = produced.events.length;
        if (total < size) throw new Error(`the run logged ${total} events, fewer than ${size}`);
        const first: number[] = [];
        const all: number[] = [];
        for (let i = 0; i < RESUMES; i++) {
          let firstAt = 0;
          const start = performance.now();
          const replay = await sse(`${base}/runs/${runId}/events`, {
            method: 'GET',
            headers: { ...headers, 'last-event-id': '0' },
            onEvent: () => {
              if (firstAt === 0) firstAt = performance.now();
            },
          });
          const end = performance.now();
          if (replay.events.length !== total)
            throw new Error(`the replay had ${replay.events.length} of ${total} events`);
          first.push(firstAt - start);
          all.push(end - start);
        }
        const allMs = percentile(all, 50);
        const values = {
          firstMs: percentile(first, 50),
          allMs,
          eventsPerS: total / (allMs / 1000),
          runMs,
        };
        options.log(`${size} events (${total} in the log): ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      await daemon.destroy();
    }
    return {
      title: 'Event log: resume from the start of a finished run (Redis)',
      sizeLabel: 'events in the run',
      metrics,
      points,
      notes: [
        `p50 of ${RESUMES} resumes per size. The client is this process's SSE reader (it parses every event), so ` +
          'the replay rate is a floor for agentd. The run: one unpaced stream, measured from the request to `: done`.',
      ],
    } satisfies Curve;
  },
};
