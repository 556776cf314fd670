/**
 * npm run bench:sync — workspace sync through agentd (runner → call-home socket → S3) against `rclone sync` of
 * the same tree to the same S3 server (s3rver), measured in the same run. Not a test: it prints a table.
 *
 * Both sides are timed by the same clock with the same boundaries: the counting S3 proxy in this process
 * stamps every request, and a sync lasts from its first request's arrival to its last response's end. The
 * requests counted are exactly those in that window. agentd's requests are told apart from the rest of the
 * turn by the interval of its own sync (its sync histogram, observed in this process); rclone's are all the
 * requests made while it ran, so its process start and exit are outside the window, as agentd's runner boot
 * and turn are. Each tool's own end-to-end figure (agentd's histogram, rclone's spawn to exit) is shown too.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { startS3, type S3Request, type S3TestServer } from '../support/s3-test-server.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { fmt, percentile } from './stats.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 3);
const FILES = 1000;
const TOTAL_BYTES = 50 * 1024 * 1024;
/** 10 directories of 100 files, random sizes around 50 KiB adding up to 50 MiB, random content. */
const GENERATE = `python3 - <<'PY'
import os, random
random.seed(7)
sizes = [random.randint(1, 2 * ${TOTAL_BYTES} // ${FILES}) for _ in range(${FILES})]
scale = ${TOTAL_BYTES} / sum(sizes)
for i, size in enumerate(sizes):
    d = f"tree/d{i % 10}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:04}.bin", "wb") as f:
        f.write(os.urandom(max(1, int(size * scale))))
PY
du -sb tree`;

interface Sample {
  /** First S3 request's arrival to the last response's end. */
  ms: number;
  requests: number;
  /** The tool's own end to end: agentd's sync histogram, or rclone's spawn to exit. */
  wallMs: number;
}

interface SyncInterval {
  direction: string;
  start: number;
  end: number;
}

interface Row {
  name: string;
  samples: Sample[];
  note: string;
}

async function main(): Promise<void> {
  const s3 = await startS3({ ownProcess: true });
  const d = await startTestDaemon({
    env: { ...s3.env(`bench${randomId(4)}`), AGENTD_DISCONNECT_GRACE: '0', LOG_LEVEL: 'silent' },
  });
  const scratch = await mkdtemp(path.join(tmpdir(), 'bench-sync-'));
  const syncs = recordSyncIntervals(d);
  try {
    const tenantId = (await d.api('POST', '/api/tenants', { name: 'bench' })).body.id as string;
    const first: Sample[] = [];
    const incremental: Sample[] = [];
    const restore: Sample[] = [];
    const rcloneFirst: Sample[] = [];
    const rcloneIncremental: Sample[] = [];
    for (let i = 0; i < N; i++) {
      process.stderr.write(`bench:sync: round ${i + 1}/${N}\n`);
      const id = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
      first.push(await measured(syncs, s3, 'out', () => turn(d, tenantId, id, GENERATE)));
      incremental.push(
        await measured(syncs, s3, 'out', () => turn(d, tenantId, id, 'echo changed >> tree/d3/f0003.bin')),
      );
      const record = await d.registry.findByConversation(tenantId, id);
      if (!record) throw new Error('no sandbox');
      // The same tree on the host, for rclone: copied out of the sandbox (a benchmark shortcut, not agentd's path).
      const tree = path.join(scratch, `tree-${i}`);
      await run('mkdir', ['-p', tree]);
      await run('bash', [
        '-c',
        `docker exec -u 1000 ${record.containerId} tar -C /workspace/tree -cf - . | tar -C ${tree} -xf -`,
      ]);
      await d.sandboxes.remove(record.id, 'manual');
      restore.push(await measured(syncs, s3, 'in', () => turn(d, tenantId, id, 'true')));

      const remote = `s3bench:${s3.bucket}/rclone-${i}`;
      rcloneFirst.push(await timed(s3, () => rclone(s3, tree, remote)));
      await appendFile(path.join(tree, 'd3', 'f0003.bin'), 'changed\n');
      rcloneIncremental.push(await timed(s3, () => rclone(s3, tree, remote)));
    }
    const rows: Row[] = [
      {
        name: 'agentd sync-out, first (1,000 files, 50 MiB)',
        samples: first,
        note: 'scan+hash in sandbox, tar over the socket, PUT each file, manifest',
      },
      {
        name: 'agentd sync-out, one file changed',
        samples: incremental,
        note: 'scan (hash cache), 1 file to staging, commit, copy into place',
      },
      {
        name: 'agentd sync-in, fresh sandbox (full)',
        samples: restore,
        note: 'GET each file, tar over the socket, unpack + verify SHA-256',
      },
      {
        name: '`rclone sync`, first (same tree)',
        samples: rcloneFirst,
        note: 'baseline: --transfers 16 --checkers 16',
      },
      {
        name: '`rclone sync`, one file changed',
        samples: rcloneIncremental,
        note: 'baseline: lists the bucket, compares size+mtime',
      },
    ];
    process.stdout.write(`\n${table(rows, rows[3]!)}\n`);
    const rcloneName = 'rclone sync, same tree, same s3rver';
    const ms = (samples: readonly Sample[]): number[] => samples.map((x) => x.ms);
    recordResult({
      benchmark: 'sync',
      measure: 'first sync-out, 1,000 files / 50 MB (p50, S3 window)',
      unit: 'ms',
      agentd: percentile(ms(first), 50),
      baseline: percentile(ms(rcloneFirst), 50),
      baselineName: rcloneName,
      better: 'lower',
    });
    recordResult({
      benchmark: 'sync',
      measure: 'incremental sync-out, one file changed (p50, S3 window)',
      unit: 'ms',
      agentd: percentile(ms(incremental), 50),
      baseline: percentile(ms(rcloneIncremental), 50),
      baselineName: rcloneName,
      better: 'lower',
    });
  } finally {
    await d.destroy();
    await s3.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function turn(d: TestDaemon, tenantId: string, id: string, command: string): Promise<void> {
  const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
    body: { message: `@tool bash ${JSON.stringify({ command })}\n@say ok` },
    headers: { 'x-api-key': d.adminKey },
  });
  const error = res.events.find((e) => e.data.type === 'error');
  if (error) throw new Error(`run failed: ${JSON.stringify(error.data)}`);
}

/** Every workspace sync agentd finishes, as an interval on this process's clock (it runs in-process). */
function recordSyncIntervals(d: TestDaemon): SyncInterval[] {
  const intervals: SyncInterval[] = [];
  const histogram = d.metrics.workspaceSyncSeconds;
  const observe = histogram.observe.bind(histogram);
  histogram.observe = ((labels: { direction: string }, seconds: number) => {
    const end = performance.now();
    intervals.push({ direction: labels.direction, start: end - seconds * 1000, end });
    observe(labels, seconds);
  }) as typeof histogram.observe;
  return intervals;
}

/** The S3 window of a set of requests: first arrival to last response end. */
function window(requests: readonly S3Request[]): number {
  if (requests.length === 0) throw new Error('a sync made no S3 requests');
  const first = Math.min(...requests.map((r) => r.at));
  const last = Math.max(...requests.map((r) => r.doneAt ?? r.at));
  return last - first;
}

/** agentd's one sync in `direction` during `fn`, measured by the S3 requests made inside its interval. */
async function measured(
  syncs: SyncInterval[],
  s3: S3TestServer,
  direction: 'in' | 'out',
  fn: () => Promise<void>,
): Promise<Sample> {
  const mark = syncs.length;
  await fn();
  const mine = syncs.slice(mark).filter((x) => x.direction === direction);
  if (mine.length !== 1) throw new Error(`expected one sync-${direction} in the turn, saw ${mine.length}`);
  const { start, end } = mine[0]!;
  const requests = s3.requests.filter((r) => r.at >= start && r.at <= end);
  return { ms: window(requests), requests: requests.length, wallMs: end - start };
}

/** rclone's requests are every request made while it ran (nothing else touches S3 meanwhile). */
async function timed(s3: S3TestServer, fn: () => Promise<void>): Promise<Sample> {
  const mark = s3.requests.length;
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const requests = s3.requests.slice(mark);
  return { ms: window(requests), requests: requests.length, wallMs };
}

function rclone(s3: S3TestServer, from: string, to: string): Promise<void> {
  // A CA bundle in the environment makes rclone's S3 backend refuse its own HTTP transport; the endpoint is plain HTTP.
  const { AWS_CA_BUNDLE: _bundle, ...inherited } = process.env;
  const env = {
    ...inherited,
    RCLONE_CONFIG_S3BENCH_TYPE: 's3',
    RCLONE_CONFIG_S3BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_S3BENCH_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_S3BENCH_ACCESS_KEY_ID: 'S3RVER',
    RCLONE_CONFIG_S3BENCH_SECRET_ACCESS_KEY: 'S3RVER',
    RCLONE_CONFIG_S3BENCH_REGION: 'us-east-1',
    RCLONE_CONFIG_S3BENCH_FORCE_PATH_STYLE: 'true',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      'rclone',
      ['sync', from, to, '--transfers', '16', '--checkers', '16', '--s3-no-check-bucket', '-q'],
      { env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rclone exited with ${code}`))));
  });
}

function table(rows: readonly Row[], baseline: Row): string {
  const base = percentile(
    baseline.samples.map((s) => s.ms),
    50,
  );
  const lines = [
    '| sync | n | p50 ms (S3 window) | max ms | S3 requests (p50) | p50 vs `rclone sync` first | own end-to-end p50 ms | measures |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const ms = row.samples.map((s) => s.ms);
    const p50 = percentile(ms, 50);
    lines.push(
      `| ${row.name} | ${ms.length} | ${fmt(p50)} | ${fmt(Math.max(...ms))} | ${percentile(
        row.samples.map((s) => s.requests),
        50,
      )} | ${(p50 / base).toFixed(2)}x | ${fmt(
        percentile(
          row.samples.map((s) => s.wallMs),
          50,
        ),
      )} | ${row.note} |`,
    );
  }
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
