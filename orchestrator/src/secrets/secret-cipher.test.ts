import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secret-cipher.js';
import { SecretKeyring } from './secret-keyring.js';

const key = (id: string): { id: string; key: Buffer } => ({ id, key: randomBytes(32) });

describe('secret cipher (AES-256-GCM)', () => {
  const k1 = key('k1');
  const ring = new SecretKeyring([k1]);

  it('round-trips, with a fresh IV and no plaintext in the ciphertext', () => {
    const value = 'sk-live-ünïcode-'.repeat(10);
    const a = sealSecret(ring, 'tenant-a', 'TOKEN', value);
    const b = sealSecret(ring, 'tenant-a', 'TOKEN', value);
    expect(a.keyId).toBe('k1');
    expect(a.iv).toHaveLength(12);
    expect(a.authTag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from('sk-live'))).toBe(false);
    expect(openSecret(ring, 'tenant-a', 'TOKEN', a)).toBe(value);
  });

  it('fails when the ciphertext is moved to another tenant or name, or tampered with', () => {
    const sealed = sealSecret(ring, 'tenant-a', 'TOKEN', 'value');
    expect(() => openSecret(ring, 'tenant-b', 'TOKEN', sealed)).toThrow(/failed authentication/);
    expect(() => openSecret(ring, 'tenant-a', 'OTHER', sealed)).toThrow(/failed authentication/);
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openSecret(ring, 'tenant-a', 'TOKEN', { ...sealed, ciphertext: flipped })).toThrow(
      /failed authentication/,
    );
  });

  it('binds the key id: relabelling a ciphertext with another key id (same material) fails', () => {
    const both = new SecretKeyring([k1, { id: 'k2', key: k1.key }]);
    const sealed = sealSecret(both, 't', 'N', 'value');
    expect(() => openSecret(both, 't', 'N', { ...sealed, keyId: 'k2' })).toThrow(/failed authentication/);
  });

  it('a key id no longer configured is SECRET_KEY_UNKNOWN, not a crash', () => {
    const sealed = sealSecret(new SecretKeyring([key('old')]), 't', 'N', 'value');
    expect(() => openSecret(ring, 't', 'N', sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_KEY_UNKNOWN' }),
    );
  });

  it('older keys still open what they sealed', () => {
    const old = key('old');
    const sealed = sealSecret(new SecretKeyring([old]), 't', 'N', 'value');
    expect(openSecret(new SecretKeyring([k1, old]), 't', 'N', sealed)).toBe('value');
  });
});
