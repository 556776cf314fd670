import { fmt } from '../stats.js';
import { perRun, total, type SizeResult } from './fleet-mix.js';

const share = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(0)}%`);
const ratio = (value: number, base: number): string => (base === 0 ? '-' : `${(value / base).toFixed(2)}x`);

/** One row per fleet size; ratios against the first size (one node), measured in the same run. */
export function summaryTable(results: readonly SizeResult[]): string {
  const base = results[0]!;
  const redisBase = perRun(base, base.redis, base.idle.redis);
  const pgBase = perRun(base, base.pg, base.idle.pg);
  const lines = [
    '| nodes | runs ok / failed | events per run | Redis cmds per run (raw) | net of idle | vs 1 node | PG statements per run (raw) | net of idle | vs 1 node | idle Redis cmds per node-s | idle PG stmts per node-s | runs that moved node | ran twice at once | contention: ok / 409 / other | runs/s | latency p50 / p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const redisNet = perRun(r, r.redis, r.idle.redis);
    const pgNet = perRun(r, r.pg, r.idle.pg);
    lines.push(
      `| ${r.nodes} | ${r.runs} / ${r.failed} | ${fmt((r.redis.xadd ?? 0) / r.runs)} | ${fmt(total(r.redis) / r.runs)} | ${fmt(redisNet)} | ${ratio(redisNet, redisBase)} | ${fmt(total(r.pg) / r.runs)} | ${fmt(pgNet)} | ${ratio(pgNet, pgBase)} | ${fmt(total(r.idle.redis) / r.idle.seconds / r.nodes)} | ${fmt(total(r.idle.pg) / r.idle.seconds / r.nodes)} | ${r.moved.moved} of ${r.moved.withPredecessor} (${share(r.moved.moved, r.moved.withPredecessor)}) | ${r.overlaps === 0 && r.unfinished === 0 ? 'never' : `${r.overlaps} overlaps, ${r.unfinished} unfinished`} | ${r.contention.succeeded} / ${r.contention.busy} / ${r.contention.other} | ${fmt(r.runs / r.seconds)} | ${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p99)} |`,
    );
  }
  return lines.join('\n');
}

/** Counts per run by name (Redis command or SQL keyword), one column per size, largest first. */
export function breakdownTable(
  results: readonly SizeResult[],
  pick: (r: SizeResult) => Record<string, number>,
  label: string,
  top = 25,
): string {
  const names = new Map<string, number>();
  for (const r of results)
    for (const [name, n] of Object.entries(pick(r))) names.set(name, (names.get(name) ?? 0) + n / r.runs);
  const ordered = [...names.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [
    `| ${label} | ${results.map((r) => `${r.nodes} node${r.nodes === 1 ? '' : 's'}`).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
  ];
  for (const [name] of ordered)
    lines.push(`| ${name} | ${results.map((r) => fmt((pick(r)[name] ?? 0) / r.runs)).join(' | ')} |`);
  lines.push(`| **total** | ${results.map((r) => fmt(total(pick(r)) / r.runs)).join(' | ')} |`);
  return lines.join('\n');
}
