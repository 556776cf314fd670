import { randomId } from '../common/ids.js';
import type { StoredReap } from '../store/entities.js';
import type { ReapRepository } from '../store/repositories.js';
import type { PrismaClient } from './generated/client.js';

export class PrismaReapRepository implements ReapRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(reap: StoredReap): Promise<void> {
    await this.prisma.sandboxReap.create({
      data: {
        id: `reap_${randomId(16)}`,
        sandboxId: reap.sandboxId,
        containerId: reap.containerId,
        nodeId: reap.node,
        reason: reap.reason,
        tenantId: reap.tenantId,
        conversationId: reap.conversationId,
        profile: reap.profile,
        ageMs: BigInt(Math.max(0, Math.round(reap.ageMs))),
        idleMs: BigInt(Math.max(0, Math.round(reap.idleMs))),
        hookError: reap.hookError ?? null,
        deferred: reap.deferred,
        oomKilled: reap.oomKilled,
        exitCode: reap.exitCode,
        reapedAt: new Date(reap.at),
      },
    });
  }

  async list(limit: number): Promise<StoredReap[]> {
    const rows = await this.prisma.sandboxReap.findMany({
      orderBy: [{ reapedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((row) => ({
      sandboxId: row.sandboxId,
      containerId: row.containerId,
      node: row.nodeId,
      reason: row.reason,
      tenantId: row.tenantId,
      conversationId: row.conversationId,
      profile: row.profile,
      at: row.reapedAt.toISOString(),
      ageMs: Number(row.ageMs),
      idleMs: Number(row.idleMs),
      ...(row.hookError === null ? {} : { hookError: row.hookError }),
      deferred: row.deferred,
      oomKilled: row.oomKilled,
      exitCode: row.exitCode,
    }));
  }

  async prune(before: Date): Promise<number> {
    const { count } = await this.prisma.sandboxReap.deleteMany({ where: { reapedAt: { lt: before } } });
    return count;
  }
}
