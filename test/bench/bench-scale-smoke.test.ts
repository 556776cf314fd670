import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { BenchResult } from './results.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `npm run bench:scale -- --smoke`: every section at its tiny sizes, as the benchmark itself runs them. */
it('runs every scale section at its smoke sizes and prints each curve', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-scale-'));
  try {
    const results = path.join(dir, 'results.jsonl');
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(here, 'bench-scale.ts'), '--smoke'],
      { env: { ...process.env, BENCH_RESULTS: results }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const sections = (await readdir(path.join(here, 'scale'))).filter((f) => f.endsWith('-section.ts'));
    const tables = stdout.split('\n').filter((l) => l.startsWith('#### '));
    expect(tables.length, stdout).toBe(sections.length);
    expect(tables).toContain('#### Idle sandboxes on one node');
    expect(tables.some((t) => t.startsWith('#### Concurrent active runs'))).toBe(true);
    // Every table has its rows (two smoke sizes) and a growth verdict.
    expect(stdout.match(/^\| \d+ \(\d/gm)?.length ?? 0).toBeGreaterThanOrEqual(sections.length);
    expect(stdout).toContain('Growth with size');
    const recorded = (await readFile(results, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BenchResult);
    expect(recorded.filter((r) => r.benchmark.startsWith('scale: ')).length).toBeGreaterThanOrEqual(
      sections.length,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 240_000);
