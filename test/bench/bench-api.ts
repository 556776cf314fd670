/**
 * API throughput: autocannon against agentd's authenticated read endpoint `GET /api/models` (auth, database
 * query, serialisation), and against a bare node:http server answering the same bytes, in the same run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { startTestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';

const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 32);

async function load(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
}

async function main(): Promise<void> {
  const daemon = await startTestDaemon({ env: { AGENTD_POOL_SIZE: '0', LOG_LEVEL: 'silent' } });
  const body = JSON.stringify((await daemon.api('GET', '/api/models')).body);
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
    process.stderr.write(`bench:api: ${CONNECTIONS} connections, ${DURATION_S}s each\n`);
    await load(url, { 'x-api-key': daemon.adminKey }); // warm-up (JIT, pools)
    const agentd = await load(url, { 'x-api-key': daemon.adminKey });
    const baseline = await load(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, {});
    if (agentd.non2xx > 0 || agentd.errors > 0)
      throw new Error(`agentd answered ${agentd.non2xx} non-2xx and ${agentd.errors} errors`);
    const rows = [
      ['`GET /api/models` (agentd: auth + PostgreSQL + JSON)', agentd],
      ['bare node:http, same response bytes (baseline)', baseline],
    ] as const;
    const lines = [
      '| endpoint | req/s (mean) | p50 ms | p99 ms | req/s vs baseline |',
      '|---|---:|---:|---:|---:|',
    ];
    for (const [name, r] of rows) {
      lines.push(
        `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${(r.requests.average / baseline.requests.average).toFixed(3)}x |`,
      );
    }
    process.stdout.write(`\n${lines.join('\n')}\n`);
    recordResult({
      benchmark: 'api',
      measure: 'GET /api/models throughput',
      unit: 'req/s',
      agentd: agentd.requests.average,
      baseline: baseline.requests.average,
      baselineName: 'bare node:http',
      better: 'higher',
    });
    recordResult({
      benchmark: 'api',
      measure: 'GET /api/models p99 latency',
      unit: 'ms',
      agentd: agentd.latency.p99,
      baseline: baseline.latency.p99,
      baselineName: 'bare node:http',
      better: 'lower',
    });
  } finally {
    bare.close();
    await daemon.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
