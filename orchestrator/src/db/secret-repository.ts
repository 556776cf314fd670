import type { SealedSecret, StoredSecret } from '../store/entities.js';
import type { SecretRepository } from '../store/repositories.js';
import type { PrismaClient } from './generated/client.js';

interface SecretRow {
  tenantId: string;
  name: string;
  version: number;
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  authTag: Uint8Array;
  createdAt: Date;
  updatedAt: Date;
}

function toSecret(row: SecretRow): StoredSecret {
  return {
    ...row,
    iv: Buffer.from(row.iv),
    ciphertext: Buffer.from(row.ciphertext),
    authTag: Buffer.from(row.authTag),
  };
}

function sealedData(sealed: SealedSecret): {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
  authTag: Uint8Array<ArrayBuffer>;
} {
  return {
    keyId: sealed.keyId,
    iv: new Uint8Array(sealed.iv),
    ciphertext: new Uint8Array(sealed.ciphertext),
    authTag: new Uint8Array(sealed.authTag),
  };
}

export class PrismaSecretRepository implements SecretRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(tenantId: string): Promise<StoredSecret[]> {
    const rows = await this.prisma.tenantSecret.findMany({ where: { tenantId }, orderBy: { name: 'asc' } });
    return rows.map(toSecret);
  }

  async get(tenantId: string, name: string): Promise<StoredSecret | undefined> {
    const row = await this.prisma.tenantSecret.findUnique({ where: { tenantId_name: { tenantId, name } } });
    return row ? toSecret(row) : undefined;
  }

  count(tenantId: string): Promise<number> {
    return this.prisma.tenantSecret.count({ where: { tenantId } });
  }

  async put(tenantId: string, name: string, sealed: SealedSecret): Promise<StoredSecret> {
    const data = sealedData(sealed);
    const row = await this.prisma.tenantSecret.upsert({
      where: { tenantId_name: { tenantId, name } },
      create: { tenantId, name, version: 1, ...data },
      update: { ...data, version: { increment: 1 } },
    });
    return toSecret(row);
  }

  async delete(tenantId: string, name: string): Promise<StoredSecret | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.tenantSecret.findUnique({ where: { tenantId_name: { tenantId, name } } });
      if (!row) return undefined;
      const { count } = await tx.tenantSecret.deleteMany({ where: { tenantId, name } });
      return count === 1 ? toSecret(row) : undefined;
    });
  }

  async listNotSealedWith(
    keyId: string,
    limit: number,
    after?: { tenantId: string; name: string },
  ): Promise<StoredSecret[]> {
    const rows = await this.prisma.tenantSecret.findMany({
      where: {
        keyId: { not: keyId },
        ...(after
          ? {
              OR: [
                { tenantId: { gt: after.tenantId } },
                { tenantId: after.tenantId, name: { gt: after.name } },
              ],
            }
          : {}),
      },
      orderBy: [{ tenantId: 'asc' }, { name: 'asc' }],
      take: limit,
    });
    return rows.map(toSecret);
  }

  async reseal(tenantId: string, name: string, version: number, sealed: SealedSecret): Promise<boolean> {
    const { count } = await this.prisma.tenantSecret.updateMany({
      where: { tenantId, name, version },
      data: sealedData(sealed),
    });
    return count === 1;
  }
}
