/** Percentile by nearest rank over a copy of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export interface Row {
  name: string;
  samples: number[];
  note: string;
}

/** A Markdown table: p50/p95 per row and each row's p50 as a multiple of the baseline's. */
export function table(rows: readonly Row[], baseline: Row): string {
  const base = percentile(baseline.samples, 50);
  const lines = [
    '| allocation | n | p50 ms | p95 ms | p50 vs baseline | measures |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const p50 = percentile(row.samples, 50);
    lines.push(
      `| ${row.name} | ${row.samples.length} | ${fmt(p50)} | ${fmt(percentile(row.samples, 95))} | ${(p50 / base).toFixed(2)}x | ${row.note} |`,
    );
  }
  return lines.join('\n');
}
