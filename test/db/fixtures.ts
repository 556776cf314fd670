import { randomId } from '../../orchestrator/src/common/ids.js';
import type { Conversation, Model, Run, Tenant } from '../../orchestrator/src/store/entities.js';
import type { Store } from '../../orchestrator/src/store/repositories.js';

export function newRunId(): string {
  return `run_${randomId(12)}`;
}

export async function seedModel(store: Store, prices: Partial<Model> = {}): Promise<Model> {
  return store.models.create({
    id: `m-${randomId(8)}`,
    name: 'Test model',
    provider: 'scripted',
    inputPricePerMTok: prices.inputPricePerMTok ?? '3',
    outputPricePerMTok: prices.outputPricePerMTok ?? '15',
    cacheReadPricePerMTok: prices.cacheReadPricePerMTok ?? '0.3',
    cacheWritePricePerMTok: prices.cacheWritePricePerMTok ?? '3.75',
  });
}

export interface Seeded {
  model: Model;
  tenant: Tenant;
  conversation: Conversation;
}

/** A model, a tenant and one conversation of it, all with fresh ids. */
export async function seedConversation(store: Store, model?: Model): Promise<Seeded> {
  const m = model ?? (await seedModel(store));
  const tenant = await store.tenants.create({ name: `tenant ${randomId(6)}` });
  const conversation = await store.conversations.create({ tenantId: tenant.id, modelId: m.id });
  return { model: m, tenant, conversation };
}

/** Starts a run, with a fresh id, in the seeded conversation on its model. */
export function startRun(
  store: Store,
  s: Pick<Seeded, 'tenant' | 'model' | 'conversation'>,
  nodeId = 'n1',
): Promise<Run> {
  return store.runs.start({
    id: newRunId(),
    tenantId: s.tenant.id,
    conversationId: s.conversation.id,
    modelId: s.model.id,
    nodeId,
  });
}

export const NO_USAGE = {
  steps: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: '0',
};
