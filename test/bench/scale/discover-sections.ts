import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScaleSection } from './curve.js';

export interface FoundSection {
  /** The file name without `-section.ts`. */
  file: string;
  section: ScaleSection;
}

const SUFFIX = '-section.ts';

/** Every `*-section.ts` in `dir`, in file-name order; each must export `section: ScaleSection`. */
export async function discoverSections(dir: string): Promise<FoundSection[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(SUFFIX)).sort();
  const found: FoundSection[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { section?: ScaleSection };
    const section = module.section;
    if (typeof section?.run !== 'function')
      throw new Error(`${file} does not export \`section: ScaleSection\``);
    found.push({ file: file.slice(0, -SUFFIX.length), section });
  }
  return found;
}
