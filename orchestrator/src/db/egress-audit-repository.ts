import { randomId } from '../common/ids.js';
import type { EgressAttempt, EgressAuditRecord } from '../store/entities.js';
import type { EgressAuditRepository, Page, PageRequest } from '../store/repositories.js';
import type { PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';

type Row = Awaited<ReturnType<PrismaClient['egressAudit']['findFirstOrThrow']>>;

export class PrismaEgressAuditRepository implements EgressAuditRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async insertMany(attempts: readonly EgressAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.prisma.egressAudit.createMany({
      data: attempts.map((a) => ({
        id: `egr_${randomId(16)}`,
        tenantId: a.tenantId,
        conversationId: a.conversationId,
        runId: a.runId,
        sandboxId: a.sandboxId,
        host: a.host.slice(0, 300),
        port: a.port,
        address: a.address ?? null,
        verdict: a.verdict,
        reason: a.reason,
        rule: a.rule ?? null,
        bytesIn: BigInt(a.bytesIn),
        bytesOut: BigInt(a.bytesOut),
        durationMs: Math.min(a.durationMs, 2_147_483_647),
        count: a.count,
        startedAt: a.startedAt,
      })),
    });
  }

  async list(
    page: PageRequest,
    filter: { tenantId?: string; runId?: string; verdict?: 'allowed' | 'denied' } = {},
  ): Promise<Page<EgressAuditRecord>> {
    return listByTime(
      page,
      {
        ...(filter.tenantId !== undefined ? { tenantId: filter.tenantId } : {}),
        ...(filter.runId !== undefined ? { runId: filter.runId } : {}),
        ...(filter.verdict !== undefined ? { verdict: filter.verdict } : {}),
      },
      (args) => this.prisma.egressAudit.findMany(args),
      toRecord,
    );
  }
}

function toRecord(row: Row): EgressAuditRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    conversationId: row.conversationId,
    runId: row.runId,
    sandboxId: row.sandboxId,
    host: row.host,
    port: row.port,
    address: row.address ?? undefined,
    verdict: row.verdict === 'allowed' ? 'allowed' : 'denied',
    reason: row.reason,
    rule: row.rule ?? undefined,
    bytesIn: Number(row.bytesIn),
    bytesOut: Number(row.bytesOut),
    durationMs: row.durationMs,
    count: row.count,
    startedAt: row.startedAt,
    createdAt: row.createdAt,
  };
}
