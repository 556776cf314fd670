/**
 * `npm run bench:scale`: how agentd behaves as its work grows. Every `scale/*-section.ts` is one dimension
 * (idle sandboxes, concurrent runs, ...); each runs at 3-4 sizes and prints a curve: the value at each size,
 * the ratio per step and whether it grows flat, sub-linearly, linearly or worse. `--max N` stops before sizes
 * above N, `--smoke` uses each section's tiny sizes, `--only <name>` picks sections. Headline figures go to
 * `npm run bench`'s summary. Not a test: it prints tables.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordResult } from './results.js';
import { renderCurve } from './scale/curve.js';
import { discoverSections } from './scale/discover-sections.js';
import { defaultHeadlines } from './scale/headlines.js';
import { parseScaleArgs, sizesFor } from './scale/scale-args.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const args = parseScaleArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`bench:scale: ${line}\n`);
  const found = await discoverSections(path.join(here, 'scale'));
  const chosen = found.filter(
    ({ file, section }) => args.only.length === 0 || args.only.some((o) => o === file || o === section.name),
  );
  const unknown = args.only.filter(
    (o) => !found.some(({ file, section }) => o === file || o === section.name),
  );
  if (unknown.length > 0)
    throw new Error(
      `no section named ${unknown.join(', ')}; there are: ${found.map((f) => f.section.name).join(', ')}`,
    );
  const failed: string[] = [];
  const started = performance.now();
  for (const { section } of chosen) {
    const sizes = sizesFor(section.sizes, args);
    if (sizes.length === 0) {
      log(`${section.name}: skipped (its smallest size is above --max ${args.max})`);
      continue;
    }
    log(`${section.name}: sizes ${sizes.join(', ')}`);
    const t0 = performance.now();
    try {
      const curve = await section.run(sizes, {
        max: args.max,
        smoke: args.smoke,
        log: (l) => log(`${section.name}: ${l}`),
      });
      process.stdout.write(`\n${renderCurve(curve)}\n`);
      for (const result of section.headlines?.(curve) ?? defaultHeadlines(`scale: ${section.name}`, curve))
        recordResult(result);
      log(`${section.name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (err) {
      // One broken section must not hide the others' curves.
      failed.push(section.name);
      log(`${section.name} failed: ${String(err instanceof Error ? err.stack : err)}`);
    }
  }
  log(`all sections in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failed.length > 0) {
    log(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
