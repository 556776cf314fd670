import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import type { SkillFile } from './skill-file-collector.js';

/** Fixed metadata: the same files always make the same bytes, so the digest names the content. */
const EPOCH = new Date(0);

/** The form a skill is stored and delivered in: a plain tar of its regular files, sorted, mode 0644. */
export async function canonicalArchive(
  files: readonly SkillFile[],
): Promise<{ archive: Buffer; digest: string }> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      tar.entry(
        { name: file.path, size: file.content.length, mode: 0o644, mtime: EPOCH, type: 'file' },
        file.content,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  tar.finalize();
  await collected;
  const archive = Buffer.concat(chunks);
  return { archive, digest: createHash('sha256').update(archive).digest('hex') };
}
