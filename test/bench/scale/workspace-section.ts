/**
 * Workspace size: 100 / 1,000 / 10,000 files of 4 KiB in one conversation, synced to a real S3 API (s3rver)
 * through the call-home channel. Per size: the first sync-out (every file uploaded), a sync-out with nothing
 * changed (the runner's scan, with its hash cache, and agentd's plan: what every run pays), and an incremental
 * sync-out of one changed file. Each is the sync's own duration (agentd's sync histogram, observed in this
 * process), p50 of the repeats. S3 is reached through a counting proxy in its own thread, so forwarding
 * bytes never competes with the daemon's event loop, and s3rver keeps its files on a tmpfs (see bench-sync).
 */
import { randomId } from '../../../orchestrator/src/common/ids.js';
import { startS3 } from '../../support/s3-test-server.js';
import { sse } from '../../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../../support/test-daemon.js';
import { S3ProxyThread } from '../s3-proxy-thread.js';
import { percentile } from '../stats.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';

const FILE_BYTES = 4096;
const REPEATS = 3;

const metrics = [
  { key: 'firstMs', label: 'first sync-out', unit: 'ms', growth: true },
  { key: 'firstRequests', label: 'first sync-out S3 requests', unit: 'requests', growth: true },
  { key: 'scanMs', label: 'sync-out, nothing changed (scan + plan)', unit: 'ms', growth: true },
  { key: 'incrementalMs', label: 'sync-out, one file changed', unit: 'ms', growth: true },
  { key: 'incrementalRequests', label: 'one file changed: S3 requests', unit: 'requests', growth: true },
] as const;

/** `n` files of FILE_BYTES random bytes, 100 per directory. */
function generate(n: number): string {
  return `python3 -c "
import os
for i in range(${n}):
    d = 'tree/d%d' % (i // 100)
    os.makedirs(d, exist_ok=True)
    open('%s/f%05d.bin' % (d, i), 'wb').write(os.urandom(${FILE_BYTES}))
"`;
}

interface Measured {
  ms: number;
  requests: number;
}

export const section: ScaleSection = {
  name: 'workspace',
  sizes: { full: [100, 1_000, 10_000], smoke: [10, 30] },
  async run(sizes, options) {
    const s3 = await startS3({ ownProcess: true, inMemory: true });
    const proxy = await S3ProxyThread.start(s3.upstream);
    const daemon = await startTestDaemon({
      env: { ...s3.env(`scale${randomId(4)}`), S3_ENDPOINT: proxy.endpoint },
    });
    const durations: number[] = [];
    const histogram = daemon.metrics.workspaceSyncSeconds;
    const observe = histogram.observe.bind(histogram);
    histogram.observe = ((labels: { direction: string }, seconds: number) => {
      if (labels.direction === 'out') durations.push(seconds * 1000);
      observe(labels, seconds);
    }) as typeof histogram.observe;
    const points: CurvePoint[] = [];
    try {
      const tenantId = (await daemon.api('POST', '/api/tenants', { name: 'scale-workspace' })).body
        .id as string;
      const syncOut = async (id: string, command: string): Promise<Measured> => {
        await proxy.flush();
        const from = proxy.requests.length;
        const mark = durations.length;
        await turn(daemon, tenantId, id, command);
        await proxy.flush();
        const mine = durations.slice(mark);
        if (mine.length !== 1) throw new Error(`expected one sync-out in the turn, saw ${mine.length}`);
        return { ms: mine[0]!, requests: proxy.requests.length - from };
      };
      for (const size of sizes) {
        const id = (await daemon.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
        const first = await syncOut(id, generate(size));
        const scans: number[] = [];
        const incremental: Measured[] = [];
        for (let i = 0; i < REPEATS; i++) {
          scans.push((await syncOut(id, 'true')).ms);
          incremental.push(await syncOut(id, `echo ${i} >> tree/d0/f00000.bin`));
        }
        const values = {
          firstMs: first.ms,
          firstRequests: first.requests,
          scanMs: percentile(scans, 50),
          incrementalMs: percentile(
            incremental.map((m) => m.ms),
            50,
          ),
          incrementalRequests: percentile(
            incremental.map((m) => m.requests),
            50,
          ),
        };
        options.log(`${size} files: ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      await daemon.destroy();
      await proxy.close();
      await s3.close();
    }
    return {
      title: `Workspace files (${FILE_BYTES / 1024} KiB each; sync-out to s3rver)`,
      sizeLabel: 'files',
      metrics,
      points,
      notes: [
        'Durations are the sync’s own (agentd’s sync histogram: the job to the runner, its scan and hashes, the ' +
          'upload, the commit). S3 requests are all those of the turn, the roll-forward after the commit included. ' +
          `p50 of ${REPEATS} for the repeated rows; the first sync-out happens once per size.`,
      ],
    } satisfies Curve;
  },
};

async function turn(d: TestDaemon, tenantId: string, id: string, command: string): Promise<void> {
  const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
    body: { message: `@tool bash ${JSON.stringify({ command })}\n@say ok` },
    headers: { 'x-api-key': d.adminKey },
  });
  const error = res.events.find((e) => e.data.type === 'error');
  if (error) throw new Error(`run failed: ${JSON.stringify(error.data)}`);
}
