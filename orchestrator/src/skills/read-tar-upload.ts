import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { errorMessage, isAgentdError } from '../common/errors.js';
import { badSkill, skillTooLarge } from './skill-errors.js';
import type { SkillFileCollector } from './skill-file-collector.js';
import type { SkillLimits } from './skill-limits.js';
import { limitUpload } from './upload-bytes.js';

/** Below this many unpacked bytes the ratio is not judged: a small tar is mostly zero padding. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/** Header and padding blocks a tar of maxFiles entries may add to the files' own bytes. */
const TAR_OVERHEAD_PER_FILE = 3 * 512;

/**
 * Streams a tar (gzip allowed, detected by its magic bytes) into `collector`: regular files only (folders are
 * implied by paths); a link, symlink, device or FIFO refuses the whole upload. Nothing is buffered beyond the
 * skill limits: the gzip output is counted and capped too (tar-stream holds PAX headers in memory).
 */
export async function readTarUpload(
  body: AsyncIterable<Buffer>,
  limits: SkillLimits,
  collector: SkillFileCollector,
): Promise<void> {
  const compressed = { bytes: 0 };
  const source = limitUpload(body, limits.maxUploadBytes, compressed);
  const first = await source.next();
  if (first.done === true) throw badSkill('the upload is empty');
  const gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
  const input = Readable.from(
    (async function* () {
      yield first.value;
      yield* source;
    })(),
  );
  const maxUnpacked = limits.maxSkillBytes + (limits.maxFiles + 8) * TAR_OVERHEAD_PER_FILE + 64 * 1024;
  let unpacked = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      unpacked += chunk.length;
      if (unpacked > maxUnpacked)
        return done(skillTooLarge(`the archive unpacks to more than ${maxUnpacked} bytes`));
      if (unpacked > RATIO_FLOOR_BYTES && unpacked > limits.maxCompressionRatio * compressed.bytes)
        return done(skillTooLarge(`the compression ratio exceeds ${limits.maxCompressionRatio}:1`));
      done(null, chunk);
    },
  });
  const tar = extract();
  const feeding = gzip ? pipeline(input, createGunzip(), guard, tar) : pipeline(input, guard, tar);
  feeding.catch(() => undefined);
  try {
    for await (const entry of tar) {
      const { name, type, size } = entry.header;
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file')
        throw badSkill(
          `${JSON.stringify(name.slice(0, 200))}: ${type} entries are not allowed (regular files only)`,
        );
      const path = collector.admit(name, size);
      await collector.add(path, size, entry as AsyncIterable<Buffer>);
    }
    await feeding;
  } catch (err) {
    input.destroy();
    tar.destroy();
    throw wrap(err);
  }
}

function wrap(err: unknown): unknown {
  return isAgentdError(err) ? err : badSkill(`not a readable tar or tar.gz archive: ${errorMessage(err)}`);
}
