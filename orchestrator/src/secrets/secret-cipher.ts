import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AgentdError } from '../common/errors.js';
import type { SealedSecret } from '../store/entities.js';
import type { SecretKeyring } from './secret-keyring.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Binds a ciphertext to its key id, tenant and name: moved to another row, it no longer opens. */
function additionalData(keyId: string, tenantId: string, name: string): Buffer {
  return Buffer.from(JSON.stringify(['agentd-secret-v1', keyId, tenantId, name]), 'utf8');
}

/** Seals under the keyring's current key, with a fresh random 12-byte IV each time. */
export function sealSecret(
  keyring: SecretKeyring,
  tenantId: string,
  name: string,
  value: string,
): SealedSecret {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(id, tenantId, name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { keyId: id, iv, ciphertext, authTag: cipher.getAuthTag() };
}

/**
 * Opens a sealed value. A key id this node does not have is SECRET_KEY_UNKNOWN; a ciphertext that fails
 * authentication (tampered, or copied from another tenant or name) is INTERNAL_ERROR: never a value.
 */
export function openSecret(
  keyring: SecretKeyring,
  tenantId: string,
  name: string,
  sealed: SealedSecret,
): string {
  const key = keyring.get(sealed.keyId);
  if (key === undefined)
    throw new AgentdError(
      'SECRET_KEY_UNKNOWN',
      `secret ${name} is sealed under key "${sealed.keyId}", which AGENTD_SECRETS_KEY does not list`,
      { details: { name, keyId: sealed.keyId } },
    );
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(sealed.keyId, tenantId, name));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new AgentdError('INTERNAL_ERROR', `secret ${name} failed authentication (tampered or moved)`, {
      cause: err,
      details: { name, keyId: sealed.keyId },
    });
  }
}
