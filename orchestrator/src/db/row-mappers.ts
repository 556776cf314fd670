import type { ContentBlock } from '@agentd/sandbox-runner/protocol';
import type {
  ApiKey,
  AuditEntry,
  Conversation,
  Message,
  Model,
  Run,
  Tenant,
  UsageRecord,
} from '../store/entities.js';
import { COST, PRICE, formatDecimal } from './decimal.js';
import type {
  ApiKey as ApiKeyRow,
  AuditLog as AuditLogRow,
  Conversation as ConversationRow,
  Message as MessageRow,
  Model as ModelRow,
  Run as RunRow,
  Tenant as TenantRow,
  UsageRecord as UsageRecordRow,
} from './generated/client.js';

function jsonObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    systemPrompt: row.systemPrompt,
    defaultModelId: row.defaultModelId,
    policy: jsonObject(row.policy),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    bedrockModelId: row.bedrockModelId,
    inputPricePerMTok: formatDecimal(row.inputPricePerMTok, PRICE),
    outputPricePerMTok: formatDecimal(row.outputPricePerMTok, PRICE),
    cacheReadPricePerMTok: formatDecimal(row.cacheReadPricePerMTok, PRICE),
    cacheWritePricePerMTok: formatDecimal(row.cacheWritePricePerMTok, PRICE),
    maxOutputTokens: row.maxOutputTokens,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    tenantId: row.tenantId,
    userId: row.userId,
    modelId: row.modelId,
    title: row.title,
    workspaceEnabled: row.workspaceEnabled,
    profile: row.profile,
    kind: row.kind,
    systemPrompt: row.systemPrompt,
    status: row.status,
    archivedAt: row.archivedAt,
    workspaceVersion: row.workspaceVersion,
    lastRunAt: row.lastRunAt,
    historyStartSeq: row.historyStartSeq,
    historyClearedAt: row.historyClearedAt,
    sessionId: row.sessionId,
    mcpServers: Array.isArray(row.mcpServers) ? row.mcpServers.map(String) : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    runId: row.runId,
    seq: row.seq,
    role: row.role,
    content: row.content as unknown as ContentBlock[],
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    createdAt: row.createdAt,
  };
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    tenantId: row.tenantId,
    conversationId: row.conversationId,
    modelId: row.modelId,
    status: row.status,
    nodeId: row.nodeId,
    sandboxId: row.sandboxId,
    fencingToken: row.fencingToken,
    steps: row.steps,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWriteTokens,
    costUsd: formatDecimal(row.costUsd, COST),
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    resources:
      row.cpuSeconds === null
        ? null
        : {
            cpuSeconds: row.cpuSeconds,
            peakMemoryBytes: Number(row.peakMemoryBytes ?? 0n),
            peakPids: row.peakPids ?? 0,
            bytesSynced: Number(row.bytesSynced ?? 0n),
          },
  };
}

export function toUsageRecord(row: UsageRecordRow): UsageRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    conversationId: row.conversationId,
    runId: row.runId,
    modelId: row.modelId,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWriteTokens,
    costUsd: formatDecimal(row.costUsd, COST),
    createdAt: row.createdAt,
  };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    tenantId: row.tenantId,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export function toAuditEntry(row: AuditLogRow): AuditEntry {
  return {
    id: row.id,
    actor: row.actor,
    person: row.person,
    action: row.action,
    target: row.target,
    details: jsonObject(row.details),
    requestId: row.requestId,
    createdAt: row.createdAt,
  };
}
