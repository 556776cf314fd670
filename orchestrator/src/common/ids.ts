import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32, `length` characters. Short on purpose: sandbox ids end up in socket paths (<108 bytes). */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET.charAt(byte & 31);
  return out;
}

export function newSandboxId(): string {
  return randomId(12);
}

export function shortContainerId(id: string): string {
  return id.slice(0, 12);
}
