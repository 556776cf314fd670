import { NotFoundError, ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Run, RunStatus, RunUsage } from '../store/entities.js';
import type { NewMessage, Page, PageRequest, RunRepository } from '../store/repositories.js';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.js';
import { COST, checkDecimals } from './decimal.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { listByTime, timeOrder } from './pagination.js';
import { toRun } from './row-mappers.js';

type NewRun = Parameters<RunRepository['start']>[0];
type Outcome = Parameters<RunRepository['finish']>[2];
type Tx = Prisma.TransactionClient;

const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
const MAX_INT4 = 2_147_483_647;
const ROLES: ReadonlySet<string> = new Set(['user', 'assistant']);

/**
 * Fencing (docs/architecture.md: fencing): every run takes the next value of the sequence `run_fencing_seq` and
 * becomes the conversation's newest run. Commits of a run lock the conversation row and write only while
 * the run's token is still the conversation's current one, so a node that lost its lock (paused, cut off)
 * cannot overwrite the work of the run that replaced it.
 */
export class PrismaRunRepository implements RunRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async start(input: NewRun): Promise<Run> {
    if (input.id.trim() === '') throw new ValidationError('invalid run', ['id must not be empty']);
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        // Lock first, then take the token: concurrent starts on one conversation get tokens in lock order.
        const locked = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM conversations WHERE id = ${input.conversationId} AND tenant_id = ${input.tenantId} FOR UPDATE`;
        if (locked.length === 0) throw new NotFoundError('conversation', input.conversationId);
        const [next] = await tx.$queryRaw<{ token: bigint }[]>`SELECT nextval('run_fencing_seq') AS token`;
        if (next === undefined) throw new Error('nextval(run_fencing_seq) returned no row');
        const now = new Date();
        const run = await tx.run.create({
          data: {
            id: input.id,
            tenantId: input.tenantId,
            conversationId: input.conversationId,
            modelId: input.modelId,
            nodeId: input.nodeId,
            sandboxId: input.sandboxId ?? null,
            status: 'running',
            fencingToken: next.token,
            createdAt: now,
            startedAt: now,
          },
        });
        await tx.conversation.update({
          where: { id: input.conversationId },
          data: { currentFencingToken: run.fencingToken, lastRunAt: now },
        });
        return run;
      });
      return toRun(row);
    } catch (err) {
      if (isUniqueViolation(err, 'runs_pkey')) {
        throw new ValidationError('invalid run', [`a run with id "${input.id}" already exists`], {
          cause: err,
        });
      }
      if (isForeignKeyViolation(err, 'runs_model_id_fkey')) {
        throw new ValidationError('invalid run', [`modelId: no model "${input.modelId}"`], { cause: err });
      }
      throw err;
    }
  }

  async get(tenantId: string, id: string): Promise<Run | undefined> {
    const row = await this.prisma.run.findFirst({ where: { id, tenantId } });
    return row === null ? undefined : toRun(row);
  }

  async list(tenantId: string, conversationId: string, page: PageRequest): Promise<Page<Run>> {
    return listByTime(page, { tenantId, conversationId }, (args) => this.prisma.run.findMany(args), toRun);
  }

  async setSandbox(runId: string, sandboxId: string): Promise<void> {
    const { count } = await this.prisma.run.updateMany({ where: { id: runId }, data: { sandboxId } });
    if (count === 0) throw new NotFoundError('run', runId);
  }

  /** False also when the run is gone (its conversation was deleted) or already finished. */
  async appendMessages(runId: string, fencingToken: bigint, messages: NewMessage[]): Promise<boolean> {
    checkMessages(messages);
    return this.prisma.$transaction(async (tx) => {
      const run = await lockForCommit(tx, runId, fencingToken);
      if (run === undefined || TERMINAL.includes(run.status)) return false;
      if (messages.length === 0) return true;
      const { _max } = await tx.message.aggregate({
        where: { conversationId: run.conversationId },
        _max: { seq: true },
      });
      const last = _max.seq ?? 0;
      await tx.message.createMany({
        data: messages.map((message, i) => ({
          id: `msg_${randomId(16)}`,
          conversationId: run.conversationId,
          runId,
          seq: last + i + 1,
          role: message.role,
          content: message.content as unknown as Prisma.InputJsonValue,
          inputTokens: message.inputTokens ?? 0,
          outputTokens: message.outputTokens ?? 0,
        })),
      });
      return true;
    });
  }

  async finish(runId: string, fencingToken: bigint, outcome: Outcome): Promise<boolean> {
    checkOutcome(outcome);
    const { usage } = outcome;
    return this.prisma.$transaction(async (tx) => {
      const run = await lockForCommit(tx, runId, fencingToken);
      if (run === undefined) return false;
      const { count } = await tx.run.updateMany({
        where: { id: runId, status: { in: ['queued', 'running'] } },
        data: {
          status: outcome.status,
          errorCode: outcome.errorCode ?? null,
          errorMessage: outcome.errorMessage ?? null,
          steps: usage.steps,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheReadTokens: usage.cacheReadTokens,
          cacheWriteTokens: usage.cacheWriteTokens,
          costUsd: usage.costUsd,
          finishedAt: new Date(),
          ...(outcome.resources
            ? {
                cpuSeconds: outcome.resources.cpuSeconds,
                peakMemoryBytes: BigInt(Math.round(outcome.resources.peakMemoryBytes)),
                peakPids: Math.round(outcome.resources.peakPids),
                bytesSynced: BigInt(Math.round(outcome.resources.bytesSynced)),
              }
            : {}),
        },
      });
      if (count === 0) return false;
      const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
      if (tokens > 0) {
        await tx.usageRecord.create({
          data: {
            id: `use_${randomId(16)}`,
            tenantId: run.tenantId,
            conversationId: run.conversationId,
            runId,
            modelId: run.modelId,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cacheReadTokens: usage.cacheReadTokens,
            cacheWriteTokens: usage.cacheWriteTokens,
            costUsd: usage.costUsd,
          },
        });
      }
      return true;
    });
  }

  async listRunning(filter: { nodeId?: string; conversationId?: string } = {}): Promise<Run[]> {
    const rows = await this.prisma.run.findMany({
      where: {
        status: 'running',
        ...(filter.nodeId === undefined ? {} : { nodeId: filter.nodeId }),
        ...(filter.conversationId === undefined ? {} : { conversationId: filter.conversationId }),
      },
      orderBy: timeOrder(),
    });
    return rows.map(toRun);
  }
}

interface CommitTarget {
  tenantId: string;
  conversationId: string;
  modelId: string;
  status: RunStatus;
}

/**
 * Locks the run's conversation row and returns the run only while `fencingToken` is both the run's own
 * token and the conversation's current one. One statement (this runs on every commit of a run) locks both
 * rows and reads them: locked, the run's row is read as it is once the lock is granted (a row a `FOR UPDATE`
 * waited for is read again after the wait), so a run that finished meanwhile is seen finished. The
 * conversation is locked first (the order of `OF`), as a run's start and a conversation's deletion lock it
 * before any of its runs: the other order could deadlock with them.
 */
async function lockForCommit(tx: Tx, runId: string, fencingToken: bigint): Promise<CommitTarget | undefined> {
  const [row] = await tx.$queryRaw<
    {
      token: bigint;
      runToken: bigint;
      tenantId: string;
      conversationId: string;
      modelId: string;
      status: RunStatus;
    }[]
  >`
    SELECT c.current_fencing_token AS token, r.fencing_token AS "runToken", r.tenant_id AS "tenantId",
           r.conversation_id AS "conversationId", r.model_id AS "modelId", r.status::text AS status
    FROM runs r JOIN conversations c ON c.id = r.conversation_id
    WHERE r.id = ${runId}
    FOR UPDATE OF c, r`;
  if (row === undefined || row.token !== fencingToken || row.runToken !== fencingToken) return undefined;
  const { tenantId, conversationId, modelId, status } = row;
  return { tenantId, conversationId, modelId, status };
}

function isCount(value: number | undefined): boolean {
  return value === undefined || (Number.isInteger(value) && value >= 0 && value <= MAX_INT4);
}

function checkMessages(messages: NewMessage[]): void {
  const issues: string[] = [];
  messages.forEach((message, i) => {
    if (!ROLES.has(message.role)) issues.push(`messages[${i}].role is invalid`);
    if (!Array.isArray(message.content))
      issues.push(`messages[${i}].content must be an array of content blocks`);
    if (!isCount(message.inputTokens) || !isCount(message.outputTokens)) {
      issues.push(`messages[${i}] token counts must be non-negative integers`);
    }
  });
  if (issues.length > 0) throw new ValidationError('invalid messages', issues);
}

function checkOutcome(outcome: Outcome): void {
  const issues: string[] = [];
  if (!TERMINAL.includes(outcome.status)) issues.push(`status must be one of ${TERMINAL.join(', ')}`);
  const counts: (keyof Omit<RunUsage, 'costUsd'>)[] = [
    'steps',
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'cacheWriteTokens',
  ];
  for (const key of counts) {
    if (!isCount(outcome.usage[key])) issues.push(`usage.${key} must be a non-negative integer`);
  }
  if (issues.length > 0) throw new ValidationError('invalid run outcome', issues);
  checkDecimals('invalid run outcome', { 'usage.costUsd': outcome.usage.costUsd }, COST);
}
