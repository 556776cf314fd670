import type { Prisma, PrismaClient } from './generated/client.js';
import type { SettingsRepository, StoredSetting } from '../store/repositories.js';

export class PrismaSettingsRepository implements SettingsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(key: string): Promise<StoredSetting | undefined> {
    const row = await this.prisma.setting.findUnique({ where: { key } });
    return row
      ? { key: row.key, value: row.value as unknown, updatedAt: row.updatedAt, updatedBy: row.updatedBy }
      : undefined;
  }

  async put(key: string, value: unknown, updatedBy: string | null): Promise<StoredSetting> {
    const json = JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
    const row = await this.prisma.setting.upsert({
      where: { key },
      create: { key, value: json, updatedBy },
      update: { value: json, updatedBy },
    });
    return { key: row.key, value: row.value as unknown, updatedAt: row.updatedAt, updatedBy: row.updatedBy };
  }
}
