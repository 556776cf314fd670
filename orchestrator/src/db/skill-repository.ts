import type { PrismaClient, Skill } from './generated/client.js';
import type { SkillContent, SkillRepository, StoredSkill } from '../store/skill-repository.js';

export class PrismaSkillRepository implements SkillRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(tenantId: string): Promise<StoredSkill[]> {
    const rows = await this.prisma.skill.findMany({ where: { tenantId }, orderBy: { name: 'asc' } });
    return rows.map(toSkill);
  }

  async get(tenantId: string, name: string): Promise<StoredSkill | undefined> {
    const row = await this.prisma.skill.findUnique({ where: { tenantId_name: { tenantId, name } } });
    return row ? toSkill(row) : undefined;
  }

  async put(
    tenantId: string,
    name: string,
    content: SkillContent,
    enabled: boolean | undefined,
  ): Promise<{ skill: StoredSkill; replaced: string | undefined }> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ version: number; digest: string }[]>`
        SELECT version, digest FROM skills WHERE tenant_id = ${tenantId} AND name = ${name} FOR UPDATE`;
      const current = rows[0];
      const key = { tenantId_name: { tenantId, name } };
      if (!current) {
        const row = await tx.skill.create({
          data: { tenantId, name, version: 1, ...content, enabled: enabled ?? true },
        });
        return { skill: toSkill(row), replaced: undefined };
      }
      const changed = current.digest !== content.digest;
      const row = await tx.skill.update({
        where: key,
        data: {
          ...content,
          ...(changed ? { version: current.version + 1 } : {}),
          ...(enabled === undefined ? {} : { enabled }),
        },
      });
      return { skill: toSkill(row), replaced: changed ? current.digest : undefined };
    });
  }

  async setEnabled(tenantId: string, name: string, enabled: boolean): Promise<StoredSkill | undefined> {
    const result = await this.prisma.skill.updateMany({ where: { tenantId, name }, data: { enabled } });
    return result.count === 0 ? undefined : this.get(tenantId, name);
  }

  async delete(tenantId: string, name: string): Promise<StoredSkill | undefined> {
    const row = await this.prisma.skill.findUnique({ where: { tenantId_name: { tenantId, name } } });
    if (!row) return undefined;
    const result = await this.prisma.skill.deleteMany({ where: { tenantId, name } });
    return result.count === 0 ? undefined : toSkill(row);
  }

  async choice(conversationId: string): Promise<string[] | undefined> {
    const row = await this.prisma.conversationSkills.findUnique({ where: { conversationId } });
    return row?.names;
  }

  async setChoice(conversationId: string, names: readonly string[] | null): Promise<void> {
    if (names === null) {
      await this.prisma.conversationSkills.deleteMany({ where: { conversationId } });
      return;
    }
    await this.prisma.conversationSkills.upsert({
      where: { conversationId },
      create: { conversationId, names: [...names] },
      update: { names: [...names] },
    });
  }
}

function toSkill(row: Skill): StoredSkill {
  return {
    tenantId: row.tenantId,
    name: row.name,
    version: row.version,
    description: row.description,
    sizeBytes: row.sizeBytes,
    fileCount: row.fileCount,
    digest: row.digest,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
