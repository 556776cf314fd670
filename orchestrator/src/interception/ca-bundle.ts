import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The bundle's name in the sandbox's call-home directory (`/run/agentd/` inside the sandbox). */
export const CA_BUNDLE_FILE = 'ca-bundle.pem';

/**
 * Writes the roots plus the sandbox CA (if any) into `dir` (agentd's own socket directory, read-only in the sandbox),
 * replacing any earlier bundle in one rename so a tool never reads half a file.
 */
export async function writeCaBundle(
  dir: string,
  roots: readonly string[],
  sandboxCaPem: string | undefined,
): Promise<string> {
  const target = path.join(dir, CA_BUNDLE_FILE);
  const temporary = path.join(dir, `.${CA_BUNDLE_FILE}.${process.pid}.tmp`);
  const body = [...roots, ...(sandboxCaPem ? [sandboxCaPem] : [])].map((pem) => pem.trim()).join('\n') + '\n';
  try {
    await writeFile(temporary, body, { mode: 0o644, flag: 'w' });
    await chmod(temporary, 0o644);
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return target;
}
