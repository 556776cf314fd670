import { randomId } from '../common/ids.js';
import type { AuditEntry } from '../store/entities.js';
import type { AuditRepository, Page, PageRequest } from '../store/repositories.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toAuditEntry } from './row-mappers.js';

export class PrismaAuditRepository implements AuditRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(
    entry: Omit<AuditEntry, 'id' | 'createdAt' | 'person'> & { person?: string | null },
  ): Promise<AuditEntry> {
    const row = await this.prisma.auditLog.create({
      data: {
        id: `aud_${randomId(16)}`,
        actor: entry.actor,
        person: entry.person ?? null,
        action: entry.action,
        target: entry.target,
        details: JSON.parse(JSON.stringify(entry.details)) as Prisma.InputJsonObject,
        requestId: entry.requestId,
      },
    });
    return toAuditEntry(row);
  }

  async list(page: PageRequest, filter: { actor?: string; action?: string } = {}): Promise<Page<AuditEntry>> {
    return listByTime(
      page,
      {
        ...(filter.actor !== undefined ? { actor: filter.actor } : {}),
        ...(filter.action !== undefined ? { action: filter.action } : {}),
      },
      (args) => this.prisma.auditLog.findMany(args),
      toAuditEntry,
    );
  }
}
