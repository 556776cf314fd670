import Type from 'typebox';
import { IdSchema } from './schemas.js';

const Timestamp = Type.String({ format: 'date-time' });

/** A secret as the API shows it: never its value. */
export const SecretSchema = Type.Object({
  name: Type.String(),
  version: Type.Integer({ description: '1 when created, +1 on every new value' }),
  keyId: Type.String({ description: 'the AGENTD_SECRETS_KEY key id that sealed the current value' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const SecretParams = Type.Object({
  tenantId: IdSchema,
  name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
});

// The service enforces the 64 KiB limit in bytes; this bound stops a huge body before it is parsed further.
export const SecretBody = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 64 * 1024, description: 'write-only; never returned' }) },
  { additionalProperties: false },
);

export const RotationSchema = Type.Object({
  keyId: Type.String(),
  resealed: Type.Integer(),
  failed: Type.Array(Type.Object({ tenantId: Type.String(), name: Type.String(), code: Type.String() })),
});

export function secretJson(secret: {
  name: string;
  version: number;
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}): { name: string; version: number; keyId: string; createdAt: string; updatedAt: string } {
  return {
    name: secret.name,
    version: secret.version,
    keyId: secret.keyId,
    createdAt: secret.createdAt.toISOString(),
    updatedAt: secret.updatedAt.toISOString(),
  };
}
