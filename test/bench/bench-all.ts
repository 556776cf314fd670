/**
 * `npm run bench`: every benchmark in turn (each prints its own detailed table), then one Markdown table of
 * their headline numbers, each with the baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './results.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BENCHES = [
  'bench-sandbox.ts',
  'bench-relay.ts',
  'bench-sync.ts',
  'bench-api.ts',
  'bench-density.ts',
  'bench-first-event.ts',
  'bench-ws.ts',
  'bench-chat-first-event.ts',
  'bench-mcp.ts',
  'bench-egress.ts',
  'bench-fleet.ts',
  'bench-scale.ts',
];

const dir = mkdtempSync(path.join(tmpdir(), 'agentd-bench-'));
const file = path.join(dir, 'results.jsonl');
const failed: string[] = [];
for (const bench of BENCHES) {
  process.stderr.write(`\n### ${bench}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, bench)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_RESULTS: file },
  });
  if (result.status !== 0) failed.push(bench);
}
let results: BenchResult[];
try {
  results = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BenchResult);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const lines = [
  '| benchmark | measure | agentd | baseline | agentd vs baseline | baseline is |',
  '|---|---|---:|---:|---:|---|',
];
for (const r of results) {
  const ratio =
    r.baseline === null || r.baseline === 0
      ? '-'
      : `${(r.agentd / r.baseline).toFixed(2)}x (${r.better} is better)`;
  lines.push(
    `| ${r.benchmark} | ${r.measure} | ${fmt(r.agentd)} ${r.unit} | ${r.baseline === null ? '-' : `${fmt(r.baseline)} ${r.unit}`} | ${ratio} | ${r.baselineName ?? '-'} |`,
  );
}
process.stdout.write(`\n## agentd benchmarks\n\n${lines.join('\n')}\n`);
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
