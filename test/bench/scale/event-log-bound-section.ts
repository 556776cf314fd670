/**
 * Event log past its bound: one unpaced run of 0.5x, 1x, 2x and 3x the embedded log's bound on events per run
 * (its default, 50,000), so the longer runs append while the log drops its oldest events. A log whose cost per
 * append grows with what it retains shows here as a falling rate beyond 1x (it did: 17k events/s at 2x, against
 * about 200k below the bound, while the daemon's thread was busy throughout).
 */
import { sse } from '../../support/sse-client.js';
import { startTestDaemon } from '../../support/test-daemon.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';

/** The scripted model repeats at most this many words per line: longer runs use several lines. */
const WORDS_PER_LINE = 50_000;

const metrics = [
  { key: 'eventsPerS', label: 'run rate (first → last text event)', unit: 'events/s', growth: false },
  { key: 'cpuUs', label: 'this thread’s CPU per event', unit: 'µs', growth: true },
  { key: 'retained', label: 'events retained at the end', unit: 'events', growth: true },
] as const;

export const section: ScaleSection = {
  name: 'event-log-bound',
  // Smoke bound 5,000, not smaller: an unpaced writer has the loop to itself for a 2 ms slice before its reader
  // first wakes, over 1,600 events on a fast host, and a reader that far behind a bound is told it lagged.
  sizes: { full: [25_000, 50_000, 100_000, 150_000], smoke: [2_500, 5_000, 10_000] },
  async run(sizes, options) {
    // The bound sits at the second size: the runs above it append past it. The full sizes use the default.
    const bound = sizes[1] ?? sizes[0] ?? 1;
    const daemon = await startTestDaemon({
      env: {
        // One event per model delta (by default a fast model's deltas are joined into fewer events).
        AGENTD_MODEL_DELTA_WINDOW: '0',
        AGENTD_EVENT_LOG_MAX_EVENTS: String(bound),
      },
    });
    const headers = { 'x-api-key': daemon.adminKey };
    const points: CurvePoint[] = [];
    try {
      const tenantId = (await daemon.api('POST', '/api/tenants', { name: 'scale-event-log-bound' })).body
        .id as string;
      // The first run pays for the JIT: one unrecorded run at the smallest size first.
      for (const [i, size] of [sizes[0] ?? 1, ...sizes].entries()) {
        const id = (await daemon.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
        const base = `${daemon.url}/api/tenants/${tenantId}/conversations/${id}`;
        const lines: string[] = [];
        for (let left = size; left > 0; left -= WORDS_PER_LINE)
          lines.push(`@repeat ${Math.min(left, WORDS_PER_LINE)} tok`);
        let first = 0;
        let last = 0;
        let texts = 0;
        const cpu0 = process.threadCpuUsage();
        const produced = await sse(`${base}/stream`, {
          body: { message: lines.join('\n') },
          headers,
          onEvent: (event) => {
            if (event.data.type !== 'text') return;
            last = performance.now();
            if (texts++ === 0) first = last;
          },
        });
        const cpu = process.threadCpuUsage(cpu0);
        const runId = produced.headers.get('x-run-id');
        if (!produced.done || !runId)
          throw new Error(`the run did not finish: ${JSON.stringify(produced.error)}`);
        if (texts < size) throw new Error(`the run streamed ${texts} text events, fewer than ${size}`);
        const retained = await daemon.eventLog.read(runId, 0, Number.MAX_SAFE_INTEGER);
        if (!retained) throw new Error(`run ${runId} is not in the event log`);
        const values = {
          eventsPerS: (texts - 1) / ((last - first) / 1000),
          cpuUs: (cpu.user + cpu.system) / produced.events.length,
          retained: retained.events.length,
        };
        if (i === 0) continue;
        options.log(`${size} events (bound ${bound}): ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      await daemon.destroy();
    }
    return {
      title: `Event log past its bound (embedded log, ${bound} events per run)`,
      sizeLabel: 'events in the run',
      metrics,
      points,
      notes: [
        'One unpaced run per size, one word per event. The daemon and the SSE client share this thread, so its CPU ' +
          'per event includes the client’s parsing (the same at every size). Runs above the bound drop their oldest ' +
          'events as they go; the rate should not fall with size.',
      ],
    } satisfies Curve;
  },
};
