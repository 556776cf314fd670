import { describe, expect, it } from 'vitest';
import { AgentdError, ValidationError } from '../../orchestrator/src/common/errors.js';
import { ensureBuiltinModels, SCRIPTED_MODEL_ID } from '../../orchestrator/src/db/builtin-models.js';
import { useTestDatabase } from '../support/use-test-database.js';
import { seedConversation, seedModel } from './fixtures.js';

const { db, store } = useTestDatabase();

describe('tenants', () => {
  it('creates, reads, updates and deletes a tenant', async () => {
    const model = await seedModel(store);
    const created = await store.tenants.create({
      name: 'Acme',
      systemPrompt: 'Be brief.',
      defaultModelId: model.id,
      policy: { profile: 'strict', maxSandboxes: 3, allowedModelIds: [model.id] },
    });
    expect(created.id).toMatch(/^ten_[a-z2-7]{12}$/);
    expect(created).toMatchObject({ name: 'Acme', systemPrompt: 'Be brief.', defaultModelId: model.id });
    expect(await store.tenants.get(created.id)).toEqual(created);

    const updated = await store.tenants.update(created.id, {
      name: 'Acme 2',
      systemPrompt: null,
      policy: {},
    });
    expect(updated).toMatchObject({
      name: 'Acme 2',
      systemPrompt: null,
      defaultModelId: model.id,
      policy: {},
    });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await store.tenants.update('ten_missing', { name: 'x' })).toBeUndefined();

    expect(await store.tenants.delete(created.id)).toBe(true);
    expect(await store.tenants.delete(created.id)).toBe(false);
    expect(await store.tenants.get(created.id)).toBeUndefined();
  });

  it('keeps the policy exactly as given', async () => {
    const policy = {
      profile: 'standard',
      limits: { memoryBytes: 512 * 1024 * 1024 },
      maxStepsPerRun: 7,
      runTimeoutMs: 60_000,
      rateLimitPerPeriod: 5,
    };
    const tenant = await store.tenants.create({ name: 'P', policy });
    expect((await store.tenants.get(tenant.id))!.policy).toEqual(policy);
  });

  it('refuses an unknown default model with a validation error', async () => {
    await expect(store.tenants.create({ name: 'x', defaultModelId: 'no-such-model' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const tenant = await store.tenants.create({ name: 'y' });
    await expect(store.tenants.update(tenant.id, { defaultModelId: 'no-such-model' })).rejects.toThrow(
      /no model "no-such-model"/,
    );
  });

  it('counts conversations', async () => {
    const { tenant, model } = await seedConversation(store);
    await store.conversations.create({ tenantId: tenant.id, modelId: model.id });
    expect(await store.tenants.countConversations(tenant.id)).toBe(2);
  });
});

describe('models', () => {
  it('stores prices exactly and returns them with the column scale', async () => {
    const model = await store.models.create({
      name: 'Claude',
      provider: 'bedrock',
      bedrockModelId: 'anthropic.claude-3-5-sonnet',
      inputPricePerMTok: '3.123456',
      outputPricePerMTok: '15',
      cacheReadPricePerMTok: '0.000001',
    });
    expect(model.id).toMatch(/^mdl_/);
    expect(model).toMatchObject({
      provider: 'bedrock',
      bedrockModelId: 'anthropic.claude-3-5-sonnet',
      inputPricePerMTok: '3.123456',
      outputPricePerMTok: '15.000000',
      cacheReadPricePerMTok: '0.000001',
      cacheWritePricePerMTok: '0.000000',
      maxOutputTokens: 4096,
      enabled: true,
    });
    const updated = await store.models.update(model.id, { enabled: false, outputPricePerMTok: '14.5' });
    expect(updated).toMatchObject({
      enabled: false,
      outputPricePerMTok: '14.500000',
      inputPricePerMTok: '3.123456',
    });
    expect(await store.models.get(model.id)).toEqual(updated);
    expect(await store.models.update('nope', { enabled: true })).toBeUndefined();
    expect(await store.models.delete(model.id)).toBe(true);
    expect(await store.models.get(model.id)).toBeUndefined();
  });

  it('rejects prices that would be rounded or are not decimals', async () => {
    for (const price of ['1.1234567', '-1', '1e3', 'abc', '', '1234567890123']) {
      await expect(
        store.models.create({
          name: 'x',
          provider: 'scripted',
          inputPricePerMTok: price,
          outputPricePerMTok: '1',
        }),
        price,
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      store.models.create({
        name: 'x',
        provider: 'scripted',
        inputPricePerMTok: '1.1000000',
        outputPricePerMTok: '1',
      }),
    ).resolves.toMatchObject({ inputPricePerMTok: '1.100000' });
  });

  it('reports a duplicate id as VALIDATION_FAILED with a clear message', async () => {
    const model = await seedModel(store);
    const duplicate = store.models.create({
      id: model.id,
      name: 'again',
      provider: 'scripted',
      inputPricePerMTok: '1',
      outputPricePerMTok: '1',
    });
    await expect(duplicate).rejects.toBeInstanceOf(AgentdError);
    await expect(duplicate).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(duplicate).rejects.toThrow(`a model with id "${model.id}" already exists`);
  });

  it('refuses to delete a model in use and leaves it in place', async () => {
    const { model } = await seedConversation(store);
    await expect(store.models.delete(model.id)).rejects.toThrow(/disable it instead/);
    expect(await store.models.get(model.id)).toBeDefined();
  });

  it('seeds the built-in scripted model once', async () => {
    const first = await ensureBuiltinModels(store);
    expect(first).toMatchObject({
      id: SCRIPTED_MODEL_ID,
      name: 'Scripted (built-in, deterministic)',
      provider: 'scripted',
      inputPricePerMTok: '1.000000',
      outputPricePerMTok: '2.000000',
      cacheReadPricePerMTok: '0.100000',
      cacheWritePricePerMTok: '0.500000',
      maxOutputTokens: 4096,
      enabled: true,
    });
    await store.models.update(SCRIPTED_MODEL_ID, { enabled: false });
    const [again, concurrent] = await Promise.all([ensureBuiltinModels(store), ensureBuiltinModels(store)]);
    expect(again.enabled).toBe(false);
    expect(concurrent.createdAt).toEqual(first.createdAt);
    expect(await db.sql(`SELECT id FROM models WHERE id = 'scripted'`)).toHaveLength(1);
  });
});

describe('conversations', () => {
  it('creates with defaults, archives idempotently and deletes', async () => {
    const { tenant, model } = await seedConversation(store);
    const conversation = await store.conversations.create({
      tenantId: tenant.id,
      modelId: model.id,
      userId: 'u-1',
      title: 'Hello',
      profile: 'strict',
      workspaceEnabled: false,
    });
    expect(conversation.id).toMatch(/^conv_/);
    expect(conversation).toMatchObject({
      tenantId: tenant.id,
      modelId: model.id,
      userId: 'u-1',
      title: 'Hello',
      profile: 'strict',
      workspaceEnabled: false,
      status: 'active',
      archivedAt: null,
      workspaceVersion: 0,
      lastRunAt: null,
    });
    expect(conversation).not.toHaveProperty('currentFencingToken');

    const archived = await store.conversations.archive(tenant.id, conversation.id);
    expect(archived).toMatchObject({ status: 'archived' });
    expect(archived!.archivedAt).toBeInstanceOf(Date);
    const again = await store.conversations.archive(tenant.id, conversation.id);
    expect(again!.archivedAt).toEqual(archived!.archivedAt);

    expect(await store.conversations.delete(tenant.id, conversation.id)).toBe(true);
    expect(await store.conversations.get(tenant.id, conversation.id)).toBeUndefined();
    expect(await store.conversations.archive(tenant.id, conversation.id)).toBeUndefined();
  });

  it('refuses an unknown model or tenant with a validation error', async () => {
    const { tenant, model } = await seedConversation(store);
    await expect(store.conversations.create({ tenantId: tenant.id, modelId: 'nope' })).rejects.toThrow(
      /modelId: no model "nope"/,
    );
    await expect(
      store.conversations.create({ tenantId: 'ten_nope', modelId: model.id }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('scopes every read and write by tenant', async () => {
    const a = await seedConversation(store);
    const b = await seedConversation(store, a.model);
    const other = b.tenant.id;
    const id = a.conversation.id;
    expect(await store.conversations.get(other, id)).toBeUndefined();
    expect((await store.conversations.list(other, {}, { limit: 50 })).items.map((c) => c.id)).not.toContain(
      id,
    );
    expect(await store.conversations.archive(other, id)).toBeUndefined();
    expect(await store.conversations.delete(other, id)).toBe(false);
    expect(await store.conversations.setWorkspaceVersion(other, id, 3, 0n)).toBe(false);
    expect(await store.conversations.get(a.tenant.id, id)).toMatchObject({
      status: 'active',
      workspaceVersion: 0,
    });
  });

  it('filters by user and status', async () => {
    const { tenant, model, conversation } = await seedConversation(store);
    const mine = await store.conversations.create({
      tenantId: tenant.id,
      modelId: model.id,
      userId: 'alice',
    });
    await store.conversations.archive(tenant.id, conversation.id);
    const byUser = await store.conversations.list(tenant.id, { userId: 'alice' }, { limit: 10 });
    expect(byUser.items.map((c) => c.id)).toEqual([mine.id]);
    const archived = await store.conversations.list(tenant.id, { status: 'archived' }, { limit: 10 });
    expect(archived.items.map((c) => c.id)).toEqual([conversation.id]);
  });
});

describe('API keys', () => {
  it('creates, finds by hash, lists, touches and revokes', async () => {
    const { tenant } = await seedConversation(store);
    const hash = 'a'.repeat(63) + '1';
    const key = await store.apiKeys.create({
      name: 'ci',
      scope: 'tenant',
      tenantId: tenant.id,
      prefix: 'agk_abcd',
      hash,
    });
    expect(key).toMatchObject({
      name: 'ci',
      scope: 'tenant',
      tenantId: tenant.id,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await store.apiKeys.findByHash(hash)).toEqual(key);
    expect(await store.apiKeys.findByHash('b'.repeat(64))).toBeUndefined();

    const at = new Date('2026-11-01T10:00:00.123Z');
    await store.apiKeys.touch(key.id, at);
    expect((await store.apiKeys.findByHash(hash))!.lastUsedAt).toEqual(at);

    const revoked = await store.apiKeys.revoke(key.id);
    expect(revoked!.revokedAt).toBeInstanceOf(Date);
    expect((await store.apiKeys.revoke(key.id))!.revokedAt).toEqual(revoked!.revokedAt);
    expect(await store.apiKeys.revoke('key_missing')).toBeUndefined();

    const admin = await store.apiKeys.create({
      name: 'root',
      scope: 'admin',
      tenantId: null,
      prefix: 'agk_x',
      hash: 'c'.repeat(64),
    });
    const listed = await store.apiKeys.list({ limit: 100 });
    expect(listed.items.map((k) => k.id)).toEqual(expect.arrayContaining([key.id, admin.id]));
  });

  it('refuses duplicate hashes and inconsistent scopes', async () => {
    const { tenant } = await seedConversation(store);
    const hash = 'd'.repeat(64);
    await store.apiKeys.create({ name: 'one', scope: 'admin', tenantId: null, prefix: 'p', hash });
    await expect(
      store.apiKeys.create({ name: 'two', scope: 'admin', tenantId: null, prefix: 'p', hash }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      store.apiKeys.create({
        name: 'x',
        scope: 'admin',
        tenantId: tenant.id,
        prefix: 'p',
        hash: 'e'.repeat(64),
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.apiKeys.create({ name: 'x', scope: 'tenant', tenantId: null, prefix: 'p', hash: 'f'.repeat(64) }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.apiKeys.create({
        name: 'x',
        scope: 'tenant',
        tenantId: 'ten_nope',
        prefix: 'p',
        hash: '0'.repeat(64),
      }),
    ).rejects.toThrow(/no tenant "ten_nope"/);
  });
});

describe('audit log', () => {
  it('records entries and filters by actor and action', async () => {
    const entry = await store.audit.record({
      actor: 'key_admin',
      action: 'tenant.create',
      target: 'ten_1',
      details: { name: 'Acme', nested: { ok: true } },
      requestId: 'req-1',
    });
    expect(entry.id).toMatch(/^aud_/);
    await store.audit.record({
      actor: 'key_other',
      action: 'tenant.delete',
      target: 'ten_1',
      details: {},
      requestId: null,
    });
    const byActor = await store.audit.list({ limit: 10 }, { actor: 'key_admin' });
    expect(byActor.items).toEqual([entry]);
    const byAction = await store.audit.list({ limit: 10 }, { action: 'tenant.delete' });
    expect(byAction.items.map((e) => e.actor)).toEqual(['key_other']);
  });
});

describe('store', () => {
  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
