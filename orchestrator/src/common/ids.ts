import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/**
 * CSPRNG bytes drawn in blocks: one `randomBytes` call per id (one per HTTP request, for its request id) was 6 %
 * of the API's CPU under load. Each byte is used once; `crypto.randomUUID` pools the same way.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Lower-case base32, `length` characters. Short on purpose: sandbox ids end up in socket paths (<108 bytes). */
export function randomId(length: number): string {
  if (length > POOL_SIZE) return randomIdFrom(randomFillSync(Buffer.alloc(length)), 0, length);
  if (poolOffset + length > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += length;
  return randomIdFrom(pool, start, length);
}

function randomIdFrom(bytes: Buffer, start: number, length: number): string {
  let out = '';
  for (let i = start; i < start + length; i++) out += ALPHABET.charAt((bytes[i] ?? 0) & 31);
  return out;
}

export function newSandboxId(): string {
  return randomId(12);
}

export function shortContainerId(id: string): string {
  return id.slice(0, 12);
}
