import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A fenced ```bash block of a Markdown file, with the line its code starts on (1-based). */
export interface BashBlock {
  line: number;
  code: string;
}

export function bashBlocks(markdown: string): BashBlock[] {
  const blocks: BashBlock[] = [];
  for (const match of markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, match.index).split('\n').length + 1;
    blocks.push({ line, code: match[1] ?? '' });
  }
  return blocks;
}

/** `METHOD /path` of every row of the README's route table (rows start with a backquoted method). */
export function readmeRoutes(markdown: string): string[] {
  const routes: string[] = [];
  for (const match of markdown.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE)` +\| ([^|]+)\|/gm)) {
    for (const route of (match[2] ?? '').matchAll(/`([^`]+)`/g)) routes.push(`${match[1]} ${route[1]}`);
  }
  return routes.sort();
}

/** Variables in the first column of every table whose header starts with `variable`. */
export function readmeVariables(markdown: string): string[] {
  const names = new Set<string>();
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (/^\| variable\b/.test(line)) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    else if (inTable) {
      const firstCell = line.split('|')[1] ?? '';
      for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1] ?? '');
    }
  }
  return [...names].sort();
}

/** Environment variables the configuration loaders read: `r.<kind>('NAME'` and `env.NAME`. */
export async function configVariables(configDir: string): Promise<string[]> {
  const names = new Set<string>();
  for (const file of await readdir(configDir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const source = await readFile(path.join(configDir, file), 'utf8');
    for (const m of source.matchAll(/\br\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(m[1] ?? '');
    for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1] ?? '');
    for (const m of source.matchAll(/\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g)) names.add(m[1] ?? '');
  }
  return [...names].sort();
}

/** `METHOD /path` of every operation of an OpenAPI document. */
export function openApiRoutes(spec: { paths: Record<string, Record<string, unknown>> }): string[] {
  const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);
  return Object.entries(spec.paths)
    .flatMap(([route, item]) =>
      Object.keys(item)
        .filter((m) => methods.has(m))
        .map((m) => `${m.toUpperCase()} ${route}`),
    )
    .sort();
}

/** `docs/architecture.md: <section>` references in source files under `dirs`, with the file they are in. */
export async function architectureReferences(
  root: string,
  dirs: string[],
): Promise<{ file: string; section: string }[]> {
  const refs: { file: string; section: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'generated'].includes(entry.name)) await walk(full);
      } else if (/\.(ts|mjs|js)$/.test(entry.name)) {
        const source = await readFile(full, 'utf8');
        for (const m of source.matchAll(/docs\/architecture\.md: ([a-z][a-z ]*[a-z])/g))
          refs.push({ file: path.relative(root, full), section: m[1] ?? '' });
        if (source.includes('DESIGN.md'))
          refs.push({ file: path.relative(root, full), section: 'DESIGN.md' });
      }
    }
  };
  for (const dir of dirs) await walk(path.join(root, dir));
  return refs;
}
