import type { Readable } from 'node:stream';
import { extract, type Extract } from 'tar-stream';
import { writeChunk } from './stream-write.js';

/**
 * The tar entries of a runner's upload, read with backpressure: the body is fed as the entries are consumed,
 * and a body that fails (the runner went away) fails the iteration instead of leaving it waiting. `fed`
 * settles once the whole body went in (await it after the entries, to see the body's own failure).
 */
export function tarEntries(body: Readable): { tar: Extract; fed: Promise<void> } {
  const tar = extract();
  const piping = (async () => {
    for await (const chunk of body as AsyncIterable<Buffer>) await writeChunk(tar, chunk);
    tar.end(undefined);
  })();
  piping.catch((err: unknown) => tar.destroy(err instanceof Error ? err : new Error(String(err))));
  return { tar, fed: piping };
}
