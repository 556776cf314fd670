import { AgentdError, ValidationError } from '../common/errors.js';
import type { Conversation, Message } from '../store/entities.js';
import type { Page, PageRequest } from '../store/repositories.js';
import type { RunCaller, RunStreamService, StartedRun } from './run-stream-service.js';

/** What simple chats need from the control plane's conversations (ConversationService has it). */
export interface ChatConversations {
  create(
    tenantId: string,
    input: {
      kind: 'chat';
      modelId?: string | undefined;
      systemPrompt?: string | null | undefined;
      title?: string | null | undefined;
      userId?: string | null | undefined;
    },
  ): Promise<Conversation>;
  /** Throws NOT_FOUND when absent or another tenant's. */
  get(tenantId: string, id: string): Promise<Conversation>;
  list(
    tenantId: string,
    filter: { kind: 'chat'; userId?: string; status?: 'active' | 'archived' },
    page: PageRequest,
  ): Promise<Page<Conversation>>;
  setSystemPrompt(tenantId: string, id: string, systemPrompt: string | null): Promise<Conversation>;
  archive(tenantId: string, id: string): Promise<Conversation>;
  delete(tenantId: string, id: string): Promise<void>;
  messages(tenantId: string, id: string, page: PageRequest): Promise<Page<Message>>;
}

export interface ChatStreamRequest {
  tenantId: string;
  message: string;
  /** Continues this chat; absent, a new chat is created. */
  chatId?: string | undefined;
  modelId?: string | undefined;
  systemPrompt?: string | undefined;
  userId?: string | undefined;
}

export interface StartedChat extends StartedRun {
  chatId: string;
  created: boolean;
}

export interface ChatWithMessages {
  chat: Conversation;
  messages: Page<Message>;
}

/** A new chat is titled after its first message, cut here. */
const TITLE_CHARS = 80;

/**
 * The seed's simple-chat shape over conversations of kind `chat`: a chat is a conversation whose runs have no
 * sandbox and no tools, so it streams, cancels, resumes and is billed through the one run-streaming service.
 */
export class SimpleChatService {
  constructor(private readonly options: { conversations: ChatConversations; streams: RunStreamService }) {}

  /** Starts a chat turn: in `chatId`, or in a new chat (removed again when the turn is refused). */
  async stream(caller: RunCaller, request: ChatStreamRequest): Promise<StartedChat> {
    const { conversations, streams } = this.options;
    const { tenantId, message, userId } = request;
    let chat: Conversation;
    const created = request.chatId === undefined;
    if (request.chatId !== undefined) {
      chat = await this.chat(tenantId, request.chatId);
      if (request.modelId !== undefined && request.modelId !== chat.modelId)
        throw new ValidationError('invalid chat turn', [
          `/modelId: chat ${chat.id} uses model ${chat.modelId}; a chat keeps the model it started with`,
        ]);
      if (request.systemPrompt !== undefined && request.systemPrompt !== chat.systemPrompt)
        chat = await conversations.setSystemPrompt(tenantId, chat.id, request.systemPrompt);
    } else {
      chat = await conversations.create(tenantId, {
        kind: 'chat',
        modelId: request.modelId,
        systemPrompt: request.systemPrompt,
        title: titleOf(message),
        userId,
      });
    }
    try {
      const started = await streams.start(caller, { tenantId, conversationId: chat.id, message, userId });
      return { ...started, chatId: chat.id, created };
    } catch (err) {
      // A refused first turn (budget, invalid message) leaves no empty chat behind.
      if (created) await conversations.delete(tenantId, chat.id).catch(() => undefined);
      throw err;
    }
  }

  list(
    tenantId: string,
    filter: { userId?: string; status?: 'active' | 'archived' },
    page: PageRequest,
  ): Promise<Page<Conversation>> {
    return this.options.conversations.list(tenantId, { ...filter, kind: 'chat' }, page);
  }

  /** The chat and the first page of its messages, oldest first. */
  async get(tenantId: string, id: string, page: PageRequest): Promise<ChatWithMessages> {
    const chat = await this.chat(tenantId, id);
    return { chat, messages: await this.options.conversations.messages(tenantId, id, page) };
  }

  async archive(tenantId: string, id: string): Promise<Conversation> {
    await this.chat(tenantId, id);
    return this.options.conversations.archive(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.chat(tenantId, id);
    await this.options.conversations.delete(tenantId, id);
  }

  /** The chat `id`; a sandboxed conversation is refused with its own code, so a client knows what it named. */
  async chat(tenantId: string, id: string): Promise<Conversation> {
    const conversation = await this.options.conversations.get(tenantId, id);
    if (conversation.kind !== 'chat')
      throw new AgentdError(
        'CONVERSATION_KIND_MISMATCH',
        `${id} is a sandboxed conversation, not a simple chat (use /conversations/${id})`,
        { details: { conversationId: id, kind: conversation.kind } },
      );
    return conversation;
  }
}

function titleOf(message: string): string {
  // By grapheme, so an emoji or an accented letter is never cut in half.
  const line = message.trim().split('\n', 1)[0] ?? '';
  const graphemes = Array.from(new Intl.Segmenter().segment(line), (s) => s.segment);
  return graphemes.length <= TITLE_CHARS ? line : `${graphemes.slice(0, TITLE_CHARS - 1).join('')}…`;
}
