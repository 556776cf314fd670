import { appendFileSync } from 'node:fs';

/** One headline number of a benchmark with the baseline measured in the same run. */
export interface BenchResult {
  benchmark: string;
  measure: string;
  unit: string;
  agentd: number;
  baseline: number | null;
  baselineName: string | null;
  better: 'lower' | 'higher';
}

/** `npm run bench` collects every benchmark's headline numbers into one table through this file. */
export function recordResult(result: BenchResult): void {
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`);
}
