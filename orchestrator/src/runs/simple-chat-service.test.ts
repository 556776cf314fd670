import { describe, expect, it } from 'vitest';
import { AgentdError } from '../common/errors.js';
import type { Conversation } from '../store/entities.js';
import type { RunStreamService } from './run-stream-service.js';
import { SimpleChatService, type ChatConversations } from './simple-chat-service.js';

const caller = { id: 'key_1', tenantId: 't1' };

function conversation(id: string, kind: Conversation['kind']): Conversation {
  const at = new Date(0);
  return {
    id,
    tenantId: 't1',
    userId: null,
    modelId: 'scripted',
    title: null,
    workspaceEnabled: kind === 'conversation',
    profile: null,
    kind,
    systemPrompt: null,
    status: 'active',
    archivedAt: null,
    workspaceVersion: 0,
    lastRunAt: null,
    historyStartSeq: 1,
    historyClearedAt: null,
    sessionId: null,
    mcpServers: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** Conversations in memory, recording what the service did to them. */
function fakes(start: () => Promise<unknown>) {
  const log: string[] = [];
  const rows = new Map([
    ['chat_1', conversation('chat_1', 'chat')],
    ['conv_1', conversation('conv_1', 'conversation')],
  ]);
  const conversations = {
    create: (_t: string, input: { title?: string | null }) => {
      log.push(`create ${input.title ?? ''}`);
      const row = conversation('chat_new', 'chat');
      rows.set(row.id, row);
      return Promise.resolve(row);
    },
    get: (_t: string, id: string) => {
      const row = rows.get(id);
      return row ? Promise.resolve(row) : Promise.reject(new AgentdError('NOT_FOUND', id));
    },
    delete: (_t: string, id: string) => {
      log.push(`delete ${id}`);
      return Promise.resolve();
    },
  } as unknown as ChatConversations;
  const streams = {
    start: async (_c: unknown, request: { conversationId: string }) => {
      log.push(`start ${request.conversationId}`);
      await start();
      return { runId: 'run_1', quota: undefined };
    },
  } as unknown as RunStreamService;
  return { log, service: new SimpleChatService({ conversations, streams }) };
}

describe('SimpleChatService', () => {
  it('creates a chat titled after the first line of its message and starts its run', async () => {
    const { log, service } = fakes(() => Promise.resolve());
    const started = await service.stream(caller, { tenantId: 't1', message: 'Hello there\nsecond line' });
    expect(started).toMatchObject({ chatId: 'chat_new', runId: 'run_1', created: true });
    expect(log).toEqual(['create Hello there', 'start chat_new']);
  });

  it('removes a new chat whose first turn is refused, but never an existing one', async () => {
    const refused = () => Promise.reject(new AgentdError('RATE_LIMITED', 'slow down'));
    const fresh = fakes(refused);
    await expect(fresh.service.stream(caller, { tenantId: 't1', message: 'hi' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(fresh.log).toEqual(['create hi', 'start chat_new', 'delete chat_new']);
    const existing = fakes(refused);
    await expect(
      existing.service.stream(caller, { tenantId: 't1', message: 'hi', chatId: 'chat_1' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(existing.log).toEqual(['start chat_1']);
  });

  it('refuses a sandboxed conversation with its own code, and a model change', async () => {
    const { log, service } = fakes(() => Promise.resolve());
    await expect(
      service.stream(caller, { tenantId: 't1', message: 'hi', chatId: 'conv_1' }),
    ).rejects.toMatchObject({ code: 'CONVERSATION_KIND_MISMATCH' });
    await expect(service.archive('t1', 'conv_1')).rejects.toMatchObject({
      code: 'CONVERSATION_KIND_MISMATCH',
    });
    await expect(
      service.stream(caller, { tenantId: 't1', message: 'hi', chatId: 'chat_1', modelId: 'other' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(log).toEqual([]);
  });
});
