/** The ustar subset both sides of the sync speak: regular files, with PAX `path` records for long names. */
export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
/** A PAX or GNU long-name header larger than this is refused: a path is at most a few KiB. */
export const MAX_META_BYTES = 64 * 1024;
/** 11 octal digits: the ustar size field's range. */
export const MAX_USTAR_SIZE = 0o77777777777;

export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

export function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}
