/**
 * npm run bench:sync — workspace sync through agentd (runner → call-home socket → S3) against `rclone sync` of
 * the same tree to the same S3 server (s3rver), measured in the same run. Not a test: it prints a table.
 *
 * Both sides are timed by the same clock with the same boundaries: a counting S3 proxy in its own thread (so
 * forwarding bytes never competes with the in-process daemon, as a remote S3 would not) stamps every request,
 * and a sync lasts from its first request's arrival to its last response's end. agentd's sync requests are
 * told apart from the rest of the turn by the interval of its own sync (its sync histogram, observed in this
 * process); rclone's are all the requests made while it ran, so its process start and exit are outside the
 * window, as agentd's runner boot and turn are. Each tool's own end-to-end figure (agentd's histogram,
 * rclone's spawn to exit) is shown too. A sync-out ends at its commit (the manifest write): the roll-forward
 * after it (copy of a changed file into place, deletions) runs after `final` under the run's lock and is
 * counted in its own column.
 *
 * s3rver's files and rclone's copies of the tree are kept on a tmpfs, as agentd's workspace is: the kernel's
 * writeback of files written to disk runs seconds later, on the same two CPUs, during whichever sync is being
 * measured then (0.4-2.5 CPU-seconds in one sync's window, measured). A real S3's disks are not on this host.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { PARALLEL_UPLOADS } from '../../orchestrator/src/workspace/outbound-receiver.js';
import { memoryTmpdir, startS3, type S3Request } from '../support/s3-test-server.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { S3ProxyThread } from './s3-proxy-thread.js';
import { clockMs } from './sse-reader-worker.js';
import { fmt, percentile } from './stats.js';

const run = promisify(execFile);
/** Rounds, each measuring every sync once: five, so one slow round (the first warms the daemon up) moves no p50. */
const N = Number(process.env.BENCH_N ?? 5);
const FILES = 1000;
const TOTAL_BYTES = 50 * 1024 * 1024;
/** rclone's own defaults (`rclone help flags`): 4 transfers, 8 checkers. */
const RCLONE_DEFAULT = { transfers: 4, checkers: 8 };
/** The same parallelism agentd uses for its uploads. */
const RCLONE_SAME = { transfers: PARALLEL_UPLOADS, checkers: PARALLEL_UPLOADS };
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
  /** agentd: requests after the sync's commit, before the turn ended (the roll-forward). */
  after: number;
  /** First request's arrival to the first file upload's (agentd: the runner's scan and agentd's plan). */
  untilUploadMs: number;
  /** Requests in flight on average from the first upload to the last response: how well the tool feeds S3. */
  inFlight: number;
}

interface SyncInterval {
  direction: string;
  start: number;
  end: number;
}

interface Row {
  name: string;
  samples: Sample[];
  /** The row this one is compared with (itself for a baseline). */
  baseline: string;
  note: string;
}

async function main(): Promise<void> {
  const s3 = await startS3({ ownProcess: true, inMemory: true });
  const proxy = await S3ProxyThread.start(s3.upstream);
  const d = await startTestDaemon({
    env: {
      ...s3.env(`bench${randomId(4)}`),
      S3_ENDPOINT: proxy.endpoint,
      AGENTD_DISCONNECT_GRACE: '0',
      LOG_LEVEL: 'silent',
    },
  });
  const scratch = await mkdtemp(path.join(memoryTmpdir(), 'bench-sync-'));
  const syncs = recordSyncIntervals(d);
  try {
    // The tree is copied out of the idle sandbox with `docker exec`, which a frozen (paused) container refuses.
    const policy = await d.api('PUT', '/api/admin/policies', { version: 1, idleProcesses: 'keep' });
    if (policy.status !== 200) throw new Error(`could not set the policy: ${JSON.stringify(policy.body)}`);
    const tenantId = (await d.api('POST', '/api/tenants', { name: 'bench' })).body.id as string;
    const first: Sample[] = [];
    const incremental: Sample[] = [];
    const restore: Sample[] = [];
    const rclone = {
      sameFirst: [] as Sample[],
      sameIncremental: [] as Sample[],
      defaultFirst: [] as Sample[],
      defaultIncremental: [] as Sample[],
    };
    for (let i = 0; i < N; i++) {
      process.stderr.write(`bench:sync: round ${i + 1}/${N}\n`);
      const id = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
      first.push(await measured(syncs, proxy, 'out', () => turn(d, tenantId, id, GENERATE)));
      incremental.push(
        await measured(syncs, proxy, 'out', () => turn(d, tenantId, id, 'echo changed >> tree/d3/f0003.bin')),
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
      restore.push(await measured(syncs, proxy, 'in', () => turn(d, tenantId, id, 'true')));

      // Each rclone setting gets its own copy of the tree and its own remote, changed the same way.
      for (const [setting, firstSamples, incrementalSamples] of [
        [RCLONE_SAME, rclone.sameFirst, rclone.sameIncremental],
        [RCLONE_DEFAULT, rclone.defaultFirst, rclone.defaultIncremental],
      ] as const) {
        const copy = `${tree}-t${setting.transfers}`;
        await run('cp', ['-a', tree, copy]);
        const remote = `s3bench:${s3.bucket}/rclone-${i}-t${setting.transfers}`;
        firstSamples.push(await timed(proxy, () => rcloneSync(proxy.endpoint, copy, remote, setting)));
        await appendFile(path.join(copy, 'd3', 'f0003.bin'), 'changed\n');
        incrementalSamples.push(await timed(proxy, () => rcloneSync(proxy.endpoint, copy, remote, setting)));
      }
    }
    const same = `--transfers ${RCLONE_SAME.transfers} --checkers ${RCLONE_SAME.checkers}`;
    const rcloneFirstName = `\`rclone sync\` ${same}, first`;
    const rcloneIncrementalName = `\`rclone sync\` ${same}, one file changed`;
    const rows: Row[] = [
      {
        name: 'agentd sync-out, first (1,000 files, 50 MiB)',
        samples: first,
        baseline: rcloneFirstName,
        note: `scan+hash in sandbox, tar over the socket, ${PARALLEL_UPLOADS} PUTs at a time, manifest`,
      },
      {
        name: 'agentd sync-out, one file changed',
        samples: incremental,
        baseline: rcloneIncrementalName,
        note: 'scan (hash cache), 1 file to staging, commit; copy into place after it',
      },
      {
        name: 'agentd sync-in, fresh sandbox (full)',
        samples: restore,
        baseline: rcloneFirstName,
        note: 'GET each file, tar over the socket, unpack + verify SHA-256',
      },
      {
        name: rcloneFirstName,
        samples: rclone.sameFirst,
        baseline: rcloneFirstName,
        note: 'baseline: the parallelism agentd uses',
      },
      {
        name: rcloneIncrementalName,
        samples: rclone.sameIncremental,
        baseline: rcloneIncrementalName,
        note: 'baseline: lists the bucket, compares size+mtime',
      },
      {
        name: '`rclone sync` (defaults: 4 transfers, 8 checkers), first',
        samples: rclone.defaultFirst,
        baseline: rcloneFirstName,
        note: "rclone's defaults, for reference",
      },
      {
        name: '`rclone sync` (defaults), one file changed',
        samples: rclone.defaultIncremental,
        baseline: rcloneIncrementalName,
        note: "rclone's defaults, for reference",
      },
    ];
    process.stdout.write(`\n${table(rows)}\n`);
    const rcloneName = `rclone sync ${same}, same tree, same s3rver`;
    const ms = (samples: readonly Sample[]): number[] => samples.map((x) => x.ms);
    recordResult({
      benchmark: 'sync',
      measure: 'first sync-out, 1,000 files / 50 MB (p50, S3 window)',
      unit: 'ms',
      agentd: percentile(ms(first), 50),
      baseline: percentile(ms(rclone.sameFirst), 50),
      baselineName: rcloneName,
      better: 'lower',
    });
    recordResult({
      benchmark: 'sync',
      measure: 'incremental sync-out, one file changed (p50, S3 window)',
      unit: 'ms',
      agentd: percentile(ms(incremental), 50),
      baseline: percentile(ms(rclone.sameIncremental), 50),
      baselineName: rcloneName,
      better: 'lower',
    });
  } finally {
    await d.destroy();
    await proxy.close();
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

/** Every workspace sync agentd finishes, as an interval on the shared clock (agentd runs in this process). */
function recordSyncIntervals(d: TestDaemon): SyncInterval[] {
  const intervals: SyncInterval[] = [];
  const histogram = d.metrics.workspaceSyncSeconds;
  const observe = histogram.observe.bind(histogram);
  histogram.observe = ((labels: { direction: string }, seconds: number) => {
    const end = clockMs();
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

/** From the first request to the first PUT of a file (not the manifest); 0 when nothing was uploaded. */
function untilUpload(requests: readonly S3Request[]): number {
  const first = Math.min(...requests.map((r) => r.at));
  const uploads = requests.filter((r) => r.method === 'PUT' && !r.copy && !r.path.endsWith('/manifest.json'));
  return uploads.length === 0 ? 0 : Math.min(...uploads.map((r) => r.at)) - first;
}

/** Mean requests in flight from the first file upload to the last response (0 when nothing was uploaded). */
function inFlight(requests: readonly S3Request[]): number {
  const first = Math.min(...requests.map((r) => r.at));
  const from = first + untilUpload(requests);
  const last = Math.max(...requests.map((r) => r.doneAt ?? r.at));
  if (last <= from) return 0;
  let busy = 0;
  for (const r of requests) busy += Math.max(0, (r.doneAt ?? r.at) - Math.max(r.at, from));
  return busy / (last - from);
}

/** agentd's one sync in `direction` during `fn`, measured by the S3 requests made inside its interval. */
async function measured(
  syncs: SyncInterval[],
  proxy: S3ProxyThread,
  direction: 'in' | 'out',
  fn: () => Promise<void>,
): Promise<Sample> {
  const mark = syncs.length;
  const from = proxy.requests.length;
  await fn();
  await proxy.flush();
  const mine = syncs.slice(mark).filter((x) => x.direction === direction);
  if (mine.length !== 1) throw new Error(`expected one sync-${direction} in the turn, saw ${mine.length}`);
  const { start, end } = mine[0]!;
  const turn = proxy.requests.slice(from);
  const requests = turn.filter((r) => r.at >= start && r.at <= end);
  const after = turn.filter((r) => r.at > end).length;
  return {
    ms: window(requests),
    requests: requests.length,
    wallMs: end - start,
    after,
    untilUploadMs: untilUpload(requests),
    inFlight: inFlight(requests),
  };
}

/** rclone's requests are every request made while it ran (nothing else touches S3 meanwhile). */
async function timed(proxy: S3ProxyThread, fn: () => Promise<void>): Promise<Sample> {
  await proxy.flush();
  const mark = proxy.requests.length;
  const t0 = clockMs();
  await fn();
  const wallMs = clockMs() - t0;
  await proxy.flush();
  const requests = proxy.requests.slice(mark);
  return {
    ms: window(requests),
    requests: requests.length,
    wallMs,
    after: 0,
    untilUploadMs: untilUpload(requests),
    inFlight: inFlight(requests),
  };
}

function rcloneSync(
  endpoint: string,
  from: string,
  to: string,
  setting: { transfers: number; checkers: number },
): Promise<void> {
  // A CA bundle in the environment makes rclone's S3 backend refuse its own HTTP transport; the endpoint is plain HTTP.
  const { AWS_CA_BUNDLE: _bundle, ...inherited } = process.env;
  const env = {
    ...inherited,
    RCLONE_CONFIG_S3BENCH_TYPE: 's3',
    RCLONE_CONFIG_S3BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_S3BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_S3BENCH_ACCESS_KEY_ID: 'S3RVER',
    RCLONE_CONFIG_S3BENCH_SECRET_ACCESS_KEY: 'S3RVER',
    RCLONE_CONFIG_S3BENCH_REGION: 'us-east-1',
    RCLONE_CONFIG_S3BENCH_FORCE_PATH_STYLE: 'true',
  };
  const args = [
    'sync',
    from,
    to,
    '--transfers',
    String(setting.transfers),
    '--checkers',
    String(setting.checkers),
    '--s3-no-check-bucket',
    '-q',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('rclone', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rclone exited with ${code}`))));
  });
}

function table(rows: readonly Row[]): string {
  const p50 = (samples: readonly Sample[], key: keyof Sample): number =>
    percentile(
      samples.map((s) => s[key]),
      50,
    );
  const lines = [
    '| sync | n | p50 ms (S3 window) | max ms | until the first upload p50 ms | in flight after it (p50) | S3 requests (p50) | after the commit (p50) | p50 vs its baseline | own end-to-end p50 ms | measures |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const baseline = rows.find((r) => r.name === row.baseline);
    if (!baseline) throw new Error(`no row ${row.baseline}`);
    const ms = p50(row.samples, 'ms');
    const ratio = row === baseline ? '1.00x' : `${(ms / p50(baseline.samples, 'ms')).toFixed(2)}x`;
    lines.push(
      `| ${row.name} | ${row.samples.length} | ${fmt(ms)} | ${fmt(Math.max(...row.samples.map((s) => s.ms)))} | ${fmt(
        p50(row.samples, 'untilUploadMs'),
      )} | ${p50(row.samples, 'inFlight').toFixed(1)} | ${p50(
        row.samples,
        'requests',
      )} | ${p50(row.samples, 'after')} | ${ratio} | ${fmt(p50(row.samples, 'wallMs'))} | ${row.note} |`,
    );
  }
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
