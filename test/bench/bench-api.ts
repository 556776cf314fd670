/**
 * API throughput: autocannon against agentd's authenticated read endpoint `GET /api/models` (auth, database
 * query, serialisation), and against a bare node:http server answering the same bytes, in the same run.
 * agentd is called with a tenant key created through the API, as users call it: the key is looked up in
 * PostgreSQL (a bootstrap key from the environment would skip that). Both servers get the same warm-up
 * (JIT, connection pools) before they are measured. A second agentd with its read caches off
 * (`AGENTD_CACHE_TTL=0`: one PostgreSQL lookup for the key and one for the models per request, as before the
 * caches) is measured in the same run, so the table shows what the caches buy under the same load.
 * Goals (issue 16): cached agentd >= 0.30x the bare server in req/s, p99 <= 3x the bare server's p99.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';

/** Seconds per server per round; the servers take turns, so a change in the machine's load hits all of them. */
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 32);
const WARMUP_S = Number(process.env.BENCH_API_WARMUP_SECONDS ?? 4);

async function load(
  url: string,
  headers: Record<string, string>,
  duration = DURATION_S,
): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration, headers });
}

/** A tenant and a tenant-scoped key made through the API: the kind of key every real caller holds. */
async function storedKey(daemon: TestDaemon): Promise<string> {
  const tenant = await daemon.api('POST', '/api/tenants', { name: 'bench' });
  const created = await daemon.api('POST', '/api/keys', {
    name: 'bench',
    scope: 'tenant',
    tenantId: tenant.body.id as string,
  });
  if (created.status !== 201) throw new Error(`cannot create a tenant key: ${created.status}`);
  return created.body.key as string;
}

/** One server over every round: req/s over the whole measured time, the median round's p50 and p99. */
interface Summary {
  reqPerSec: number;
  p50: number;
  p99: number;
  perRound: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function summarise(results: autocannon.Result[]): Summary {
  const seconds = results.reduce((sum, r) => sum + r.duration, 0);
  return {
    reqPerSec: results.reduce((sum, r) => sum + r.requests.total, 0) / Math.max(seconds, 1e-9),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    perRound: results.map((r) => r.requests.average),
  };
}

async function main(): Promise<void> {
  const daemon = await startTestDaemon({ env: { AGENTD_POOL_SIZE: '0', LOG_LEVEL: 'silent' } });
  const uncached = await startTestDaemon({
    env: { AGENTD_POOL_SIZE: '0', LOG_LEVEL: 'silent', AGENTD_CACHE_TTL: '0' },
  });
  const key = await storedKey(daemon);
  const uncachedKey = await storedKey(uncached);
  const models = await daemon.api('GET', '/api/models', undefined, key);
  if (models.status !== 200) throw new Error(`GET /api/models with a tenant key answered ${models.status}`);
  const body = JSON.stringify(models.body);
  const bare = http.createServer((_req, res) => {
    res
      .writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      })
      .end(body);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  try {
    const url = `${daemon.url ?? ''}/api/models`;
    const uncachedUrl = `${uncached.url ?? ''}/api/models`;
    process.stderr.write(`bench:api: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S}s\n`);
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    await load(url, { 'x-api-key': key }, WARMUP_S);
    await load(uncachedUrl, { 'x-api-key': uncachedKey }, WARMUP_S);
    await load(bareUrl, {}, WARMUP_S);
    const runs = {
      agentd: [] as autocannon.Result[],
      before: [] as autocannon.Result[],
      bare: [] as autocannon.Result[],
    };
    for (let round = 0; round < ROUNDS; round++) {
      runs.agentd.push(await load(url, { 'x-api-key': key }));
      runs.before.push(await load(uncachedUrl, { 'x-api-key': uncachedKey }));
      runs.bare.push(await load(bareUrl, {}));
    }
    for (const [name, results] of [
      ['agentd', runs.agentd],
      ['agentd without caches', runs.before],
    ] as const) {
      for (const r of results) {
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${name} answered ${r.non2xx} non-2xx and ${r.errors} errors`);
      }
    }
    const agentd = summarise(runs.agentd);
    const before = summarise(runs.before);
    const baseline = summarise(runs.bare);
    const rows: [string, Summary][] = [
      ['`GET /api/models` (agentd: stored tenant key, caches on)', agentd],
      ['`GET /api/models` (agentd, `AGENTD_CACHE_TTL=0`: PostgreSQL per request)', before],
      ['bare node:http, same response bytes (baseline)', baseline],
    ];
    const lines = [
      `${ROUNDS} rounds of ${DURATION_S}s per server, taking turns; req/s over all rounds, latency the median round's`,
      '',
      '| endpoint | req/s | p50 ms | p99 ms | req/s vs baseline | p99 vs baseline |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const [name, r] of rows) {
      lines.push(
        `| ${name} | ${r.reqPerSec.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.reqPerSec / baseline.reqPerSec).toFixed(3)}x | ${(r.p99 / Math.max(baseline.p99, 1)).toFixed(2)}x |`,
      );
    }
    const throughput = agentd.reqPerSec / baseline.reqPerSec;
    const tail = agentd.p99 / Math.max(baseline.p99, 1);
    const perRound = agentd.perRound.map((v, i) => (v / (baseline.perRound[i] ?? 1)).toFixed(2)).join(', ');
    lines.push(
      '',
      `goals: req/s ${throughput.toFixed(3)}x of bare (>= 0.30x: ${throughput >= 0.3 ? 'met' : 'NOT met'}; per round ${perRound}); ` +
        `p99 ${tail.toFixed(2)}x of bare (<= 3x: ${tail <= 3 ? 'met' : 'NOT met'}); ` +
        `caches: ${(agentd.reqPerSec / before.reqPerSec).toFixed(1)}x the req/s without them`,
    );
    process.stdout.write(`\n${lines.join('\n')}\n`);
    recordResult({
      benchmark: 'api',
      measure: 'GET /api/models throughput',
      unit: 'req/s',
      agentd: agentd.reqPerSec,
      baseline: baseline.reqPerSec,
      baselineName: 'bare node:http',
      better: 'higher',
    });
    recordResult({
      benchmark: 'api',
      measure: 'GET /api/models p99 latency',
      unit: 'ms',
      agentd: agentd.p99,
      baseline: baseline.p99,
      baselineName: 'bare node:http',
      better: 'lower',
    });
  } finally {
    bare.close();
    await daemon.destroy();
    await uncached.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
