import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const GENERATED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generated');

const NULL_TYPE = '(?:DbNull|JsonNull|AnyNull)';
const INSTANCE = new RegExp(
  `^export const (${NULL_TYPE}) = (runtime\\.objectEnumValues\\.instances\\.\\1)$`,
  'gm',
);
const DERIVED = new RegExp(
  `^export const (\\w+) = \\{\\n((?:[ \\t]*${NULL_TYPE}: ${NULL_TYPE},?\\n)+)\\} as const$`,
  'gm',
);
const ENTRY = new RegExp(`(${NULL_TYPE}): (${NULL_TYPE})`, 'g');

/**
 * Prisma 6.19's `prisma-client` generator exports its JSON null sentinels with inferred types that carry
 * native #private fields, which TypeScript cannot write into declaration files (TS4094, prisma/orm#29549);
 * `@ts-nocheck` does not silence declaration emit, so `tsc -b` fails. Spelling the types out fixes it
 * without changing any value. Idempotent; a no-op once Prisma fixes the generator.
 */
export function patchNullTypes(source: string): string {
  return source
    .replace(INSTANCE, 'export const $1: typeof $2 = $2')
    .replace(DERIVED, (_all, name: string, body: string) => {
      const fields = [...body.matchAll(ENTRY)].map(
        ([, key = '', value = '']) => `readonly ${key}: typeof ${value}`,
      );
      return `export const ${name}: { ${fields.join('; ')} } = {\n${body}} as const`;
    });
}

/** Patches every generated file in `dir`/internal; returns the files it changed. */
export async function patchGeneratedClient(dir = GENERATED_DIR): Promise<string[]> {
  const internal = path.join(dir, 'internal');
  const changed: string[] = [];
  for (const name of (await readdir(internal)).filter((n) => n.endsWith('.ts')).sort()) {
    const file = path.join(internal, name);
    const source = await readFile(file, 'utf8');
    const patched = patchNullTypes(source);
    if (patched !== source) {
      await writeFile(file, patched);
      changed.push(file);
    }
  }
  return changed;
}

// Run after `prisma generate`: `tsx orchestrator/src/db/patch-generated-client.ts`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const changed = await patchGeneratedClient();
  process.stdout.write(`patched ${changed.length} generated Prisma client file(s)\n`);
}
