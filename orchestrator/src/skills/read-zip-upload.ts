import { fromBufferPromise, type Entry } from 'yauzl';
import { errorMessage, isAgentdError } from '../common/errors.js';
import { badSkill, skillTooLarge } from './skill-errors.js';
import type { SkillFileCollector } from './skill-file-collector.js';
import type { SkillLimits } from './skill-limits.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** Below this many bytes an entry's ratio is not judged (a short run of spaces compresses 1000:1 honestly). */
const RATIO_FLOOR_BYTES = 64 * 1024;

/**
 * Reads a zip (already bounded by the upload limit: the format needs its central directory, at the end) into
 * `collector`. Each entry is judged by its central-directory record before a byte is inflated: declared size,
 * compression ratio, Unix file type (symlinks and devices refused), encryption; yauzl checks that the inflated
 * size matches the declared one.
 */
export async function readZipUpload(
  archive: Buffer,
  limits: SkillLimits,
  collector: SkillFileCollector,
): Promise<void> {
  let zip;
  try {
    zip = await fromBufferPromise(archive, {
      lazyEntries: true,
      validateEntrySizes: true,
      decodeStrings: true,
    });
  } catch (err) {
    throw badSkill(`not a readable zip archive: ${errorMessage(err)}`);
  }
  try {
    for await (const entry of zip.eachEntry()) {
      const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (entry.fileName.endsWith('/') || type === S_IFDIR) continue;
      if (type !== 0 && type !== S_IFREG)
        throw badSkill(
          `${JSON.stringify(entry.fileName.slice(0, 200))}: ${kind(type)} entries are not allowed (regular files only)`,
        );
      if (entry.isEncrypted()) throw badSkill(`${entry.fileName}: encrypted entries are not allowed`);
      const path = collector.admit(entry.fileName, entry.uncompressedSize);
      checkRatio(entry, limits);
      await collector.add(path, entry.uncompressedSize, await zip.openReadStreamPromise(entry));
    }
  } catch (err) {
    throw isAgentdError(err) ? err : badSkill(`not a readable zip archive: ${errorMessage(err)}`);
  } finally {
    zip.close();
  }
}

function checkRatio(entry: Entry, limits: SkillLimits): void {
  const { uncompressedSize, compressedSize } = entry;
  if (
    uncompressedSize > RATIO_FLOOR_BYTES &&
    uncompressedSize > limits.maxCompressionRatio * Math.max(compressedSize, 1)
  )
    throw skillTooLarge(
      `${entry.fileName}: compression ratio ${Math.round(uncompressedSize / Math.max(compressedSize, 1))}:1 exceeds ${limits.maxCompressionRatio}:1`,
    );
}

function kind(type: number): string {
  switch (type) {
    case 0o120000:
      return 'symlink';
    case 0o020000:
    case 0o060000:
      return 'device';
    case 0o010000:
      return 'FIFO';
    case 0o140000:
      return 'socket';
    default:
      return `file type ${type.toString(8)}`;
  }
}
