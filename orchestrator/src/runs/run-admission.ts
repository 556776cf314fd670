import type { RunLimits } from '@agentd/sandbox-runner/protocol';
import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import type { RunSettings } from '../config/run-settings.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

/** What a run needs before it may take a lock: a valid message, a live conversation, its tenant and model. */
export interface Admission {
  tenant: Tenant;
  conversation: Conversation;
  model: Model;
  limits: RunLimits;
}

/** Decides whether a run may start; every refusal is a client error raised before anything is held. */
export async function admitRun(
  store: Store,
  settings: RunSettings,
  request: { tenantId: string; conversationId: string; message: string },
): Promise<Admission> {
  if (request.message.length === 0 || request.message.length > settings.maxMessageChars) {
    throw new ValidationError('invalid message', [
      `/message: must be 1 to ${settings.maxMessageChars} characters`,
    ]);
  }
  const conversation = await store.conversations.get(request.tenantId, request.conversationId);
  if (!conversation) throw new NotFoundError('conversation', request.conversationId);
  if (conversation.status === 'archived') {
    throw new ValidationError('conversation is archived', [
      `conversation ${conversation.id} is archived and takes no new runs`,
    ]);
  }
  const tenant = await store.tenants.get(request.tenantId);
  if (!tenant) throw new NotFoundError('tenant', request.tenantId);
  const model = await store.models.get(conversation.modelId);
  if (!model)
    throw new ValidationError('conversation model is gone', [
      `model ${conversation.modelId} no longer exists`,
    ]);
  if (!model.enabled) throw new ValidationError('model disabled', [`model ${model.id} is disabled`]);
  const allowed = tenant.policy.allowedModelIds;
  if (allowed && !allowed.includes(model.id)) {
    throw new AgentdError('FORBIDDEN', `tenant ${tenant.id} may not use model ${model.id}`);
  }
  return { tenant, conversation, model, limits: runLimits(tenant, settings) };
}

function runLimits(tenant: Tenant, settings: RunSettings): RunLimits {
  return {
    maxSteps: tenant.policy.maxStepsPerRun ?? settings.maxSteps,
    toolTimeoutMs: settings.toolTimeoutMs,
    maxToolTimeoutMs: settings.maxToolTimeoutMs,
    toolOutputBytes: settings.toolOutputBytes,
  };
}

/** The refusal for a conversation whose lock is held: it names the run holding it when the database knows. */
export async function conversationBusy(store: Store, conversationId: string): Promise<AgentdError> {
  const active = await store.runs
    .listRunning({ conversationId })
    .then((runs) => runs.at(-1)?.id)
    .catch(() => undefined);
  return new AgentdError(
    'CONVERSATION_BUSY',
    `conversation ${conversationId} already has a run in progress${active ? ` (${active})` : ''}`,
    { recoverable: true, retryAfterSeconds: 2, details: active ? { runId: active } : {} },
  );
}
