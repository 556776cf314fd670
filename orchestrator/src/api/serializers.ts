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

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function runJson(run: Run) {
  return {
    id: run.id,
    tenantId: run.tenantId,
    conversationId: run.conversationId,
    modelId: run.modelId,
    status: run.status,
    nodeId: run.nodeId,
    sandboxId: run.sandboxId,
    steps: run.steps,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    cacheReadTokens: run.cacheReadTokens,
    cacheWriteTokens: run.cacheWriteTokens,
    costUsd: run.costUsd,
    errorCode: run.errorCode,
    errorMessage: run.errorMessage,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    resources: run.resources,
  };
}

export function tenantJson(tenant: Tenant) {
  return {
    id: tenant.id,
    name: tenant.name,
    systemPrompt: tenant.systemPrompt,
    defaultModelId: tenant.defaultModelId,
    policy: tenant.policy,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

/**
 * A model's JSON, once per model object: the model cache hands out the same objects until a change, and
 * formatting them again on every `GET /api/models` showed in the profile. Results are shared: never mutate one.
 */
const modelJsonCache = new WeakMap<Model, ReturnType<typeof formatModel>>();

export function modelJson(model: Model): ReturnType<typeof formatModel> {
  let json = modelJsonCache.get(model);
  if (json === undefined) {
    json = formatModel(model);
    modelJsonCache.set(model, json);
  }
  return json;
}

function formatModel(model: Model) {
  return {
    id: model.id,
    name: model.name,
    provider: model.provider,
    bedrockModelId: model.bedrockModelId,
    inputPricePerMTok: model.inputPricePerMTok,
    outputPricePerMTok: model.outputPricePerMTok,
    cacheReadPricePerMTok: model.cacheReadPricePerMTok,
    cacheWritePricePerMTok: model.cacheWritePricePerMTok,
    maxOutputTokens: model.maxOutputTokens,
    enabled: model.enabled,
    createdAt: model.createdAt.toISOString(),
    updatedAt: model.updatedAt.toISOString(),
  };
}

export function conversationJson(conversation: Conversation) {
  return {
    id: conversation.id,
    tenantId: conversation.tenantId,
    userId: conversation.userId,
    modelId: conversation.modelId,
    title: conversation.title,
    workspaceEnabled: conversation.workspaceEnabled,
    profile: conversation.profile,
    kind: conversation.kind,
    systemPrompt: conversation.systemPrompt,
    status: conversation.status,
    archivedAt: iso(conversation.archivedAt),
    workspaceVersion: conversation.workspaceVersion,
    lastRunAt: iso(conversation.lastRunAt),
    historyClearedAt: iso(conversation.historyClearedAt),
    sessionId: conversation.sessionId,
    mcpServers: conversation.mcpServers,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

export function messageJson(message: Message) {
  return {
    id: message.id,
    conversationId: message.conversationId,
    runId: message.runId,
    seq: message.seq,
    role: message.role,
    content: message.content,
    inputTokens: message.inputTokens,
    outputTokens: message.outputTokens,
    createdAt: message.createdAt.toISOString(),
  };
}

export function apiKeyJson(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    scope: key.scope,
    tenantId: key.tenantId,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
  };
}

export function auditJson(entry: AuditEntry) {
  return {
    id: entry.id,
    actor: entry.actor,
    person: entry.person,
    action: entry.action,
    target: entry.target,
    details: entry.details,
    requestId: entry.requestId,
    createdAt: entry.createdAt.toISOString(),
  };
}

export function usageRecordJson(record: UsageRecord) {
  return { ...record, createdAt: record.createdAt.toISOString() };
}
