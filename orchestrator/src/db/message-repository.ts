import type { Message } from '../store/entities.js';
import type { MessageRepository, Page, PageRequest } from '../store/repositories.js';
import type { PrismaClient } from './generated/client.js';
import { decodeSeqCursor, encodeSeqCursor, pageArgs, toPage } from './pagination.js';
import { toMessage } from './row-mappers.js';

/** Messages are ordered by their gap-free `seq`, so their cursor is the last seq (still opaque). */
export class PrismaMessageRepository implements MessageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async history(conversationId: string): Promise<Message[]> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
      select: { historyStartSeq: true },
    });
    const rows = await this.prisma.message.findMany({
      where: { conversationId, seq: { gte: conversation?.historyStartSeq ?? 1 } },
      orderBy: { seq: 'asc' },
    });
    return rows.map(toMessage);
  }

  async list(conversationId: string, page: PageRequest): Promise<Page<Message>> {
    const { limit, take } = pageArgs(page);
    const after = decodeSeqCursor(page.cursor);
    const rows = await this.prisma.message.findMany({
      where: { conversationId, ...(after !== undefined ? { seq: { gt: after } } : {}) },
      orderBy: { seq: 'asc' },
      take,
    });
    return toPage(rows, limit, toMessage, (row) => encodeSeqCursor(row.seq));
  }
}
