import { ValidationError } from '../common/errors.js';
import type { UsageRecord } from '../store/entities.js';
import type { Page, PageRequest, UsageGroup, UsageQuery, UsageRepository } from '../store/repositories.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toUsageRecord } from './row-mappers.js';

type Totals = Omit<UsageGroup, 'key'>;

interface SumRow {
  key: string;
  runs: number | bigint;
  input: number | bigint | string;
  output: number | bigint | string;
  cache_read: number | bigint | string;
  cache_write: number | bigint | string;
  cost: string;
}

const GROUP_KEYS: Record<UsageQuery['groupBy'], Prisma.Sql> = {
  model: Prisma.sql`model_id`,
  conversation: Prisma.sql`conversation_id`,
  day: Prisma.sql`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
};

/**
 * Sums are computed by PostgreSQL: costs as numeric (returned as text, so no float ever touches them),
 * tokens as bigint. The window is [from, to).
 */
export class PrismaUsageRepository implements UsageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async summarize(query: UsageQuery): Promise<{ groups: UsageGroup[]; total: Totals }> {
    checkWindow(query);
    const key = GROUP_KEYS[query.groupBy];
    const where = Prisma.sql`tenant_id = ${query.tenantId}
      AND created_at >= ${query.from.toISOString()}::timestamptz
      AND created_at < ${query.to.toISOString()}::timestamptz`;
    const sums = Prisma.sql`COUNT(DISTINCT run_id)::int AS runs,
      COALESCE(SUM(input_tokens), 0)::bigint AS input,
      COALESCE(SUM(output_tokens), 0)::bigint AS output,
      COALESCE(SUM(cache_read_tokens), 0)::bigint AS cache_read,
      COALESCE(SUM(cache_write_tokens), 0)::bigint AS cache_write,
      COALESCE(SUM(cost_usd), 0)::numeric(38, 12)::text AS cost`;
    const [groups, totals] = await Promise.all([
      this.prisma.$queryRaw<SumRow[]>`
        SELECT ${key} AS key, ${sums} FROM usage_records WHERE ${where} GROUP BY 1 ORDER BY 1`,
      this.prisma.$queryRaw<SumRow[]>`SELECT '' AS key, ${sums} FROM usage_records WHERE ${where}`,
    ]);
    const total = totals[0];
    if (total === undefined) throw new Error('usage total query returned no row');
    return { groups: groups.map((row) => ({ key: row.key, ...toTotals(row) })), total: toTotals(total) };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<UsageRecord>> {
    return listByTime(page, { tenantId }, (args) => this.prisma.usageRecord.findMany(args), toUsageRecord);
  }
}

function toTotals(row: SumRow): Totals {
  return {
    runs: Number(row.runs),
    inputTokens: Number(row.input),
    outputTokens: Number(row.output),
    cacheReadTokens: Number(row.cache_read),
    cacheWriteTokens: Number(row.cache_write),
    costUsd: row.cost,
  };
}

function checkWindow(query: UsageQuery): void {
  const issues: string[] = [];
  if (Number.isNaN(query.from.getTime())) issues.push('from is not a valid date');
  if (Number.isNaN(query.to.getTime())) issues.push('to is not a valid date');
  if (issues.length === 0 && query.from > query.to) issues.push('from must not be after to');
  if (issues.length > 0) throw new ValidationError('invalid usage query', issues);
}
