/**
 * `npm run bench:fleet`: 1, 2 and 4 agentd processes (own node ids, ports and state dirs) sharing PostgreSQL,
 * one Redis, s3rver and the Docker engine, behind a round-robin client with no session affinity, driving the
 * same run mix at each size. The headline figures are counts CPU contention does not change: Redis commands
 * per run by command (`INFO commandstats` deltas on a redis-server of the bench's own), PostgreSQL statements
 * per run (counted on the wire by a proxy: see pg-statement-counter.ts), the share of runs that moved node,
 * and whether any conversation ever ran twice at once. Latency is printed too; on a 2-core machine it mostly
 * measures CPU contention between the nodes.
 *
 *   npm run bench:fleet -- [--nodes 1,2,4] [--conversations 8] [--turns 3] [--idle 15]
 *   npm run bench:fleet -- --smoke     (1 and 2 nodes, 2 conversations: the sizes of the test suite's smoke run)
 */
import { parseArgs } from 'node:util';
import { measureSize, perRun, SMOKE_MIX, total, type SizeResult } from './fleet/fleet-mix.js';
import { breakdownTable, summaryTable } from './fleet/fleet-tables.js';
import { redisOpsPerSecond, startPrivateRedis } from './fleet/private-redis.js';
import { recordResult } from './results.js';
import { fmt } from './stats.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,4' },
    conversations: { type: 'string', default: '8' },
    turns: { type: 'string', default: '3' },
    idle: { type: 'string', default: '15' },
    contenders: { type: 'string', default: '3' },
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, {
    nodes: '1,2',
    conversations: String(SMOKE_MIX.conversations),
    turns: String(SMOKE_MIX.turns),
    idle: String(SMOKE_MIX.idleSeconds),
    contenders: String(SMOKE_MIX.contenders),
  });
const sizes = values.nodes.split(',').map(Number);
const out = (s: string): boolean => process.stdout.write(`${s}\n`);

const redis = await startPrivateRedis();
const results: SizeResult[] = [];
let capacity: Record<string, number>;
try {
  for (const nodes of sizes) {
    process.stderr.write(`bench:fleet: ${nodes} node(s)...\n`);
    const result = await measureSize(redis, {
      nodes,
      conversations: Number(values.conversations),
      turns: Number(values.turns),
      idleSeconds: Number(values.idle),
      contenders: Number(values.contenders),
    });
    results.push(result);
  }
  // Redis's own throughput on this machine, on the same server, with nothing else connected.
  await redis.reset();
  capacity = redisOpsPerSecond(redis.port, 100_000);
} finally {
  await redis.close();
}

out(`\n## bench:fleet (${values.conversations} conversations x ${values.turns} runs per size)\n`);
out(summaryTable(results));
for (const r of results) {
  if (r.failures.length > 0) out(`\nfailed runs at ${r.nodes} node(s): ${r.failures.join(', ')}`);
  if (r.contention.other > 0)
    out(
      `\ncontended requests answered neither 200 nor 409 at ${r.nodes} node(s): ${r.contention.otherCodes.join(', ')}`,
    );
}
out(
  '\n"net of idle" subtracts what the same nodes spend with no requests (heartbeats, reconcile, reaper) over the\n' +
    'same time. PostgreSQL statements are counted on the wire (Query and Execute messages) by a proxy, not by\n' +
    'pg_stat_statements. "events per run" counts XADDs (one per appended run event). Redis counts include\n' +
    'the commands scripts call (EVAL is counted once, and each call inside it once more). Latency and runs/s\n' +
    'measure CPU contention on this machine as much as agentd.\n',
);
out('### Redis commands per run, by command (raw)\n');
out(breakdownTable(results, (r) => r.redis, 'command'));
out('\n### Redis commands per node-second while idle\n');
out(
  breakdownTable(
    results.map((r) => ({ ...r, runs: r.idle.seconds * r.nodes })),
    (r) => r.idle.redis,
    'command',
    12,
  ),
);
out('\n### PostgreSQL statements per run, by kind (raw)\n');
out(breakdownTable(results, (r) => r.pg, 'statement'));

const rates = Object.values(capacity);
const slowest = rates.length > 0 ? Math.min(...rates) : Number.NaN;
const last = results.at(-1)!;
const first = results[0]!;
const redisPerRun = perRun(last, last.redis, last.idle.redis);
const idlePerNode = total(last.idle.redis) / last.idle.seconds / last.nodes;
out('\n### One Redis: measured capacity and what it serves\n');
out('| redis-benchmark test (50 clients, no pipelining) | requests/s |\n|---|---:|');
for (const [name, rps] of Object.entries(capacity)) out(`| ${name} | ${fmt(rps)} |`);
out(
  `\nWith the slowest test (${fmt(slowest)} ops/s) as the ceiling, ${fmt(redisPerRun)} commands per run (net, ${last.nodes} nodes) ` +
    `and ${fmt(idlePerNode)} commands per idle node-second:\n`,
);
out('| runs/s per node | nodes one Redis serves |\n|---:|---:|');
for (const runsPerSecond of [0.1, 1, 5, 20])
  out(`| ${runsPerSecond} | ${fmt(slowest / (idlePerNode + runsPerSecond * redisPerRun))} |`);

// A run's Redis work is a fixed part plus a part per event: each event is one EVAL (counted with the
// INCR, XADD and two PEXPIREs it calls) and one PUBLISH, six commandstats calls in all.
const eventsPerRun = (last.redis.xadd ?? 0) / last.runs;
const fixedCommands = redisPerRun - 6 * eventsPerRun;
const appendRate = capacity['event append (EVAL: INCR, XADD, 2x PEXPIRE)'] ?? Number.NaN;
const publishRate = capacity.PUBLISH ?? Number.NaN;
const secondsPerRun = (events: number): number =>
  fixedCommands / slowest + events * (1 / appendRate + 1 / publishRate);
out(
  `\nSplit into ${fmt(fixedCommands)} fixed commands per run (lock, registry, sandbox, fencing) and one event append + one ` +
    `PUBLISH per event (${fmt(eventsPerRun)} events per run in this mix), Redis's time per run is ` +
    `fixed / ${fmt(slowest)} + events x (1 / ${fmt(appendRate)} + 1 / ${fmt(publishRate)}) s:\n`,
);
out('| events per run | runs/s one Redis serves | Redis busy per run (ms) |\n|---:|---:|---:|');
for (const events of [Math.round(eventsPerRun), 100, 1000, 5000])
  out(`| ${events} | ${fmt(1 / secondsPerRun(events))} | ${fmt(1000 * secondsPerRun(events))} |`);
recordResult({
  benchmark: 'fleet',
  measure: 'runs/s one Redis serves (this mix, measured ops/s)',
  unit: 'runs/s',
  agentd: 1 / secondsPerRun(eventsPerRun),
  baseline: null,
  baselineName: null,
  better: 'higher',
});

for (const r of results.slice(1)) {
  recordResult({
    benchmark: 'fleet',
    measure: `Redis commands per run (net), ${r.nodes} nodes`,
    unit: 'cmds',
    agentd: perRun(r, r.redis, r.idle.redis),
    baseline: perRun(first, first.redis, first.idle.redis),
    baselineName: '1 node, same mix',
    better: 'lower',
  });
  recordResult({
    benchmark: 'fleet',
    measure: `PostgreSQL statements per run (net), ${r.nodes} nodes`,
    unit: 'stmts',
    agentd: perRun(r, r.pg, r.idle.pg),
    baseline: perRun(first, first.pg, first.idle.pg),
    baselineName: '1 node, same mix',
    better: 'lower',
  });
}
recordResult({
  benchmark: 'fleet',
  measure: `runs that moved node, ${last.nodes} nodes`,
  unit: '%',
  agentd: last.moved.withPredecessor === 0 ? 0 : (100 * last.moved.moved) / last.moved.withPredecessor,
  baseline: null,
  baselineName: null,
  better: 'lower',
});
recordResult({
  benchmark: 'fleet',
  measure: 'conversations that ran twice at once (all sizes)',
  unit: 'pairs',
  agentd: results.reduce((n, r) => n + r.overlaps, 0),
  baseline: null,
  baselineName: null,
  better: 'lower',
});

const broken = results.filter(
  (r) => r.overlaps > 0 || r.unfinished > 0 || r.contention.other > 0 || r.ranElsewhere > 0,
);
if (broken.length > 0) {
  process.stderr.write(
    `bench:fleet: a fleet check failed at ${broken.map((r) => `${r.nodes} node(s)`).join(', ')} (overlapping or unfinished runs, a contended request that got neither 200 nor 409, or a run on another node than the one asked)\n`,
  );
  process.exitCode = 1;
}
