import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the web console, held in memory (the whole console is a few tens of kilobytes). */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/** The console's folder: `orchestrator/console` (its page and style, and `dist/` compiled from `src/`). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Reads the console once, keyed by URL path below `/console/`: `index.html`, `console.css`, `js/<module>.js`.
 * Only these names are ever served, so no request path reaches the file system. Empty when the console was
 * not built (then `/console` answers 404).
 */
export async function loadConsoleAssets(dir = CONSOLE_DIR): Promise<Map<string, ConsoleAsset>> {
  const assets = new Map<string, ConsoleAsset>();
  const add = async (file: string, key: string) => {
    const contentType = TYPES[path.extname(file)];
    if (contentType) assets.set(key, { body: await readFile(file), contentType });
  };
  for (const name of await listFiles(dir)) await add(path.join(dir, name), name);
  const js = path.join(dir, 'dist');
  for (const name of await listFiles(js))
    if (name.endsWith('.js')) await add(path.join(js, name), `js/${name}`);
  if (!assets.has('index.html')) assets.clear();
  return assets;
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
