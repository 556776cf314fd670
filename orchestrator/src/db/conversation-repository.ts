import { ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Conversation } from '../store/entities.js';
import type { ConversationFilter, ConversationRepository, Page, PageRequest } from '../store/repositories.js';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.js';
import type { PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toConversation } from './row-mappers.js';

type NewConversation = Parameters<ConversationRepository['create']>[0];

/** A manifest write is one small object; this bounds how long a stuck store can hold the conversation row. */
const COMMIT_TIMEOUT_MS = 60_000;

export class PrismaConversationRepository implements ConversationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: NewConversation): Promise<Conversation> {
    return this.#create(input, null);
  }

  async ensureForSession(
    input: NewConversation & { sessionId: string },
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const existing = await this.findBySession(input.tenantId, input.sessionId);
    if (existing) return { conversation: existing, created: false };
    try {
      return { conversation: await this.#create(input, input.sessionId), created: true };
    } catch (err) {
      // Another node created it between our read and our insert: the unique pair makes its row the one.
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.findBySession(input.tenantId, input.sessionId);
      if (!winner) throw err;
      return { conversation: winner, created: false };
    }
  }

  async findBySession(tenantId: string, sessionId: string): Promise<Conversation | undefined> {
    const row = await this.prisma.conversation.findFirst({ where: { tenantId, sessionId } });
    return row === null ? undefined : toConversation(row);
  }

  async clearHistory(tenantId: string, id: string): Promise<Conversation | undefined> {
    // One statement: the new start is computed from the messages as they are when the row is updated.
    const count = await this.prisma.$executeRaw`
      UPDATE conversations
      SET history_start_seq = COALESCE((SELECT MAX(seq) FROM messages WHERE conversation_id = ${id}), 0) + 1,
          history_cleared_at = now(), updated_at = now()
      WHERE id = ${id} AND tenant_id = ${tenantId}`;
    return count === 0 ? undefined : this.get(tenantId, id);
  }

  async #create(input: NewConversation, sessionId: string | null): Promise<Conversation> {
    try {
      const row = await this.prisma.conversation.create({
        data: {
          id: `conv_${randomId(12)}`,
          tenantId: input.tenantId,
          modelId: input.modelId,
          userId: input.userId ?? null,
          title: input.title ?? null,
          profile: input.profile ?? null,
          ...(input.kind !== undefined ? { kind: input.kind } : {}),
          systemPrompt: input.systemPrompt ?? null,
          sessionId,
          ...(input.mcpServers ? { mcpServers: input.mcpServers } : {}),
          ...(input.workspaceEnabled !== undefined ? { workspaceEnabled: input.workspaceEnabled } : {}),
        },
      });
      return toConversation(row);
    } catch (err) {
      if (isForeignKeyViolation(err, 'conversations_model_id_fkey')) {
        throw new ValidationError('invalid conversation', [`modelId: no model "${input.modelId}"`], {
          cause: err,
        });
      }
      if (isForeignKeyViolation(err, 'conversations_tenant_id_fkey')) {
        throw new ValidationError('invalid conversation', [`tenantId: no tenant "${input.tenantId}"`], {
          cause: err,
        });
      }
      throw err;
    }
  }

  async get(tenantId: string, id: string): Promise<Conversation | undefined> {
    const row = await this.prisma.conversation.findFirst({ where: { id, tenantId } });
    return row === null ? undefined : toConversation(row);
  }

  async list(tenantId: string, filter: ConversationFilter, page: PageRequest): Promise<Page<Conversation>> {
    return listByTime(
      page,
      {
        tenantId,
        ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      },
      (args) => this.prisma.conversation.findMany(args),
      toConversation,
    );
  }

  /** Idempotent: archiving an archived conversation keeps its first `archivedAt`. */
  async archive(tenantId: string, id: string): Promise<Conversation | undefined> {
    await this.prisma.conversation.updateMany({
      where: { id, tenantId, status: 'active' },
      data: { status: 'archived', archivedAt: new Date() },
    });
    return this.get(tenantId, id);
  }

  async setSystemPrompt(
    tenantId: string,
    id: string,
    systemPrompt: string | null,
  ): Promise<Conversation | undefined> {
    await this.prisma.conversation.updateMany({ where: { id, tenantId }, data: { systemPrompt } });
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.conversation.deleteMany({ where: { id, tenantId } });
    return count > 0;
  }

  async currentFencingToken(tenantId: string, id: string): Promise<bigint | undefined> {
    const row = await this.prisma.conversation.findFirst({
      where: { id, tenantId },
      select: { currentFencingToken: true },
    });
    return row?.currentFencingToken ?? undefined;
  }

  async commitWorkspace(
    tenantId: string,
    id: string,
    fencingToken: bigint,
    write: (committedVersion: number) => Promise<number>,
  ): Promise<boolean> {
    return this.prisma.$transaction(
      async (tx) => {
        // The row lock is what a newer run's start waits on to take its token: while it is held, no run can
        // supersede this one, so a manifest written here is never a superseded writer's.
        const [row] = await tx.$queryRaw<{ workspace_version: number; current_fencing_token: bigint }[]>`
          SELECT workspace_version, current_fencing_token FROM conversations
          WHERE id = ${id} AND tenant_id = ${tenantId} FOR UPDATE`;
        if (row === undefined || row.current_fencing_token !== fencingToken) return false;
        const version = await write(row.workspace_version);
        if (!Number.isSafeInteger(version) || version < 0) {
          throw new ValidationError('invalid workspace version', [
            `version must be a non-negative integer (got ${version})`,
          ]);
        }
        await tx.conversation.update({ where: { id }, data: { workspaceVersion: version } });
        return true;
      },
      { maxWait: COMMIT_TIMEOUT_MS, timeout: COMMIT_TIMEOUT_MS },
    );
  }

  async setWorkspaceVersion(
    tenantId: string,
    id: string,
    version: number,
    fencingToken: bigint,
  ): Promise<boolean> {
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new ValidationError('invalid workspace version', [
        `version must be a non-negative integer (got ${version})`,
      ]);
    }
    // One conditional UPDATE: the token check and the write are atomic without an explicit lock.
    const { count } = await this.prisma.conversation.updateMany({
      where: { id, tenantId, currentFencingToken: fencingToken },
      data: { workspaceVersion: version },
    });
    return count === 1;
  }
}
