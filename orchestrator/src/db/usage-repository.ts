import { ValidationError } from '../common/errors.js';
import type { UsageRecord } from '../store/entities.js';
import type {
  Page,
  PageRequest,
  ResourceTotals,
  UsageGroup,
  UsageQuery,
  UsageRepository,
} from '../store/repositories.js';
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

interface ResourceRow {
  key: string;
  measured: number | bigint;
  cpu: number | string | null;
  peak_memory: number | bigint | string | null;
  peak_pids: number | bigint | null;
  synced: number | bigint | string | null;
}

const NO_RESOURCES: ResourceTotals = {
  measuredRuns: 0,
  cpuSeconds: 0,
  peakMemoryBytes: 0,
  peakPids: 0,
  bytesSynced: 0,
};

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
    // Sandbox resources live on the runs (a run without tokens still used its sandbox).
    const resourceSums = Prisma.sql`COUNT(*)::int AS measured,
      COALESCE(SUM(cpu_seconds), 0)::float8 AS cpu,
      COALESCE(MAX(peak_memory_bytes), 0)::bigint AS peak_memory,
      COALESCE(MAX(peak_pids), 0)::int AS peak_pids,
      COALESCE(SUM(bytes_synced), 0)::bigint AS synced`;
    const measured = Prisma.sql`${where} AND cpu_seconds IS NOT NULL`;
    const [resourceGroups, resourceTotals] = await Promise.all([
      this.prisma.$queryRaw<ResourceRow[]>`
        SELECT ${key} AS key, ${resourceSums} FROM runs WHERE ${measured} GROUP BY 1 ORDER BY 1`,
      this.prisma.$queryRaw<ResourceRow[]>`SELECT '' AS key, ${resourceSums} FROM runs WHERE ${measured}`,
    ]);
    const byKey = new Map(resourceGroups.map((row) => [row.key, toResources(row)]));
    const out: UsageGroup[] = groups.map((row) => ({
      key: row.key,
      ...toTotals(row),
      resources: byKey.get(row.key) ?? NO_RESOURCES,
    }));
    for (const [groupKey, resources] of byKey) {
      if (!out.some((g) => g.key === groupKey)) out.push({ ...zeroTokens(groupKey), resources });
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const allResources = resourceTotals[0] ? toResources(resourceTotals[0]) : NO_RESOURCES;
    return { groups: out, total: { ...toTotals(total), resources: allResources } };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<UsageRecord>> {
    return listByTime(page, { tenantId }, (args) => this.prisma.usageRecord.findMany(args), toUsageRecord);
  }
}

function toResources(row: ResourceRow): ResourceTotals {
  return {
    measuredRuns: Number(row.measured),
    cpuSeconds: Number(row.cpu ?? 0),
    peakMemoryBytes: Number(row.peak_memory ?? 0),
    peakPids: Number(row.peak_pids ?? 0),
    bytesSynced: Number(row.synced ?? 0),
  };
}

function zeroTokens(key: string): Omit<UsageGroup, 'resources'> {
  return {
    key,
    runs: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: '0.000000000000',
  };
}

function toTotals(row: SumRow): Omit<Totals, 'resources'> {
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
