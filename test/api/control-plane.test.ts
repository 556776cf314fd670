import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { collectPages, expectError, request, tenantWithKey } from './api-client.js';

describe('control plane REST: CRUD, pagination, keys, audit (real PostgreSQL)', () => {
  let d: TestDaemon;
  let db: pg.Pool;

  beforeAll(async () => {
    d = await startTestDaemon();
    db = new pg.Pool({ connectionString: d.databaseUrl, max: 1 });
  });
  afterAll(async () => {
    await db.end();
    await d.destroy();
  });

  describe('tenants', () => {
    it('creates, reads, updates and deletes a tenant', async () => {
      const created = await d.api('POST', '/api/tenants', { name: 'acme', systemPrompt: 'Be brief.' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'acme', systemPrompt: 'Be brief.', defaultModelId: null });
      const id = created.body.id as string;
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

      expect(await d.api('GET', `/api/tenants/${id}`)).toMatchObject({ status: 200, body: created.body });
      const updated = await d.api('PUT', `/api/tenants/${id}`, {
        name: 'acme corp',
        defaultModelId: 'scripted',
        policy: { maxSandboxes: 3, allowedModelIds: ['scripted'] },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        id,
        name: 'acme corp',
        systemPrompt: 'Be brief.',
        defaultModelId: 'scripted',
        policy: { maxSandboxes: 3, allowedModelIds: ['scripted'] },
      });
      expect(Date.parse(updated.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));

      expect((await d.api('DELETE', `/api/tenants/${id}`)).status).toBe(204);
      expectError(await d.api('GET', `/api/tenants/${id}`), 404, 'NOT_FOUND');
      expectError(await d.api('PUT', `/api/tenants/${id}`, { name: 'x' }), 404, 'NOT_FOUND');
      expectError(await d.api('DELETE', `/api/tenants/${id}`), 404, 'NOT_FOUND');
    });

    it('validates tenant bodies', async () => {
      for (const body of [
        {},
        { name: '' },
        { name: 'x'.repeat(201) },
        { name: 'ok', extra: 1 },
        { name: 'ok', defaultModelId: 'no-such-model' },
        { name: 'ok', defaultModelId: '../etc' },
        { name: 'ok', policy: { profile: 'no-such-profile' } },
        { name: 'ok', policy: { maxSandboxes: 0 } },
        { name: 'ok', policy: { unknown: true } },
        { name: 42 },
      ]) {
        expectError(await d.api('POST', '/api/tenants', body), 400, 'VALIDATION_FAILED');
      }
    });

    it('refuses strings PostgreSQL cannot store (NUL, unpaired surrogates) with 400, never a 500', async () => {
      const tenant = (await d.api('POST', '/api/tenants', { name: 'unicode' })).body.id as string;
      for (const [path, body] of [
        ['/api/tenants', '{"name":"a\\u0000b"}'],
        ['/api/tenants', '{"name":"\\ud800"}'],
        [`/api/tenants/${tenant}/conversations`, '{"title":"x","userId":"\\udfff"}'],
        [`/api/tenants/${tenant}/conversations/none/query`, '{"message":"a\\u0000"}'],
      ] as const) {
        const res = await request(d, 'POST', path, {
          headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
          body,
        });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
      for (const query of [`/api/tenants/${tenant}/conversations?userId=%00`, '/api/audit/log?actor=a%00']) {
        expectError(await d.api('GET', query), 400, 'VALIDATION_FAILED');
      }
      const fine = await d.api('POST', '/api/tenants', { name: 'emoji 😀 ü 中文' });
      expect(fine.body.name).toBe('emoji 😀 ü 中文');
    });

    it('pages through every tenant exactly once, in creation order', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++)
        ids.push((await d.api('POST', '/api/tenants', { name: `page-${i}` })).body.id);
      const { items, pages } = await collectPages(d, '/api/tenants', 3);
      const seen = items.map((t) => t.id as string);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
      expect(pages).toBeGreaterThanOrEqual(3);
      const first = await d.api('GET', '/api/tenants?limit=200');
      expect(first.body.items.map((t: { id: string }) => t.id)).toEqual(seen);
      expect(first.body.nextCursor).toBeNull();
    });

    it('refuses bad page requests with 400', async () => {
      for (const query of [
        'limit=0',
        'limit=201',
        'limit=abc',
        'limit=-1',
        'cursor=%%%',
        'cursor=bm90LWpzb24',
      ]) {
        expectError(await d.api('GET', `/api/tenants?${query}`), 400, 'VALIDATION_FAILED');
      }
      const forged = Buffer.from(JSON.stringify({ t: 'yesterday', i: 'x' })).toString('base64url');
      expectError(await d.api('GET', `/api/tenants?cursor=${forged}`), 400, 'VALIDATION_FAILED');
    });

    it('deletes a tenant with conversations only with ?force=true, taking everything with it', async () => {
      const tenant = await tenantWithKey(d, 'doomed');
      const conversation = await d.api('POST', `/api/tenants/${tenant.id}/conversations`, {
        title: 'keep me',
      });
      expect(conversation.status).toBe(201);

      const refused = await d.api('DELETE', `/api/tenants/${tenant.id}`);
      expectError(refused, 400, 'VALIDATION_FAILED');
      expect(refused.body.error.message).toContain('force=true');
      expect(
        (await d.api('GET', `/api/tenants/${tenant.id}/conversations/${conversation.body.id}`)).status,
      ).toBe(200);
      expect((await d.api('DELETE', `/api/tenants/${tenant.id}?force=false`)).status).toBe(400);

      expect((await d.api('DELETE', `/api/tenants/${tenant.id}?force=true`)).status).toBe(204);
      expectError(await d.api('GET', `/api/tenants/${tenant.id}`), 404, 'NOT_FOUND');
      const rows = await db.query('SELECT count(*)::int AS n FROM conversations WHERE tenant_id = $1', [
        tenant.id,
      ]);
      expect(rows.rows[0].n).toBe(0);
      // Its keys went with it.
      expectError(
        await d.api('GET', `/api/tenants/${tenant.id}`, undefined, tenant.key),
        401,
        'UNAUTHENTICATED',
      );
    });
  });

  describe('models', () => {
    it('lists the built-in scripted model and does CRUD with exact decimal prices', async () => {
      const list = await d.api('GET', '/api/models');
      expect(list.body.items.map((m: { id: string }) => m.id)).toContain('scripted');

      const created = await d.api('POST', '/api/models', {
        id: 'claude-test',
        name: 'Claude (test)',
        provider: 'bedrock',
        bedrockModelId: 'anthropic.claude-test-v1:0',
        inputPricePerMTok: '3.000001',
        outputPricePerMTok: 15,
        cacheReadPricePerMTok: 0.3,
        enabled: false,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'claude-test',
        provider: 'bedrock',
        bedrockModelId: 'anthropic.claude-test-v1:0',
        enabled: false,
      });
      expect(Number(created.body.inputPricePerMTok)).toBe(3.000001);
      expect(created.body.inputPricePerMTok).toMatch(/^3\.000001/);
      expect(Number(created.body.outputPricePerMTok)).toBe(15);
      expect(Number(created.body.cacheReadPricePerMTok)).toBe(0.3);

      const got = await d.api('GET', '/api/models/claude-test');
      expect(got).toMatchObject({ status: 200, body: created.body });
      const updated = await d.api('PUT', '/api/models/claude-test', {
        enabled: true,
        outputPricePerMTok: '16.5',
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ enabled: true, name: 'Claude (test)' });
      expect(Number(updated.body.outputPricePerMTok)).toBe(16.5);

      expectError(
        await d.api('POST', '/api/models', { ...created.body, createdAt: undefined, updatedAt: undefined }),
        400,
        'VALIDATION_FAILED',
      );
      expect((await d.api('DELETE', '/api/models/claude-test')).status).toBe(204);
      expectError(await d.api('GET', '/api/models/claude-test'), 404, 'NOT_FOUND');
      expectError(await d.api('PUT', '/api/models/claude-test', { enabled: true }), 404, 'NOT_FOUND');
      expectError(await d.api('DELETE', '/api/models/claude-test'), 404, 'NOT_FOUND');
    });

    it('validates model bodies', async () => {
      const base = { name: 'm', provider: 'scripted', inputPricePerMTok: '1', outputPricePerMTok: '1' };
      for (const body of [
        { ...base, provider: 'openai' },
        { ...base, provider: 'bedrock' },
        { ...base, inputPricePerMTok: '1.0000001' },
        { ...base, inputPricePerMTok: -1 },
        { ...base, inputPricePerMTok: 0.1 + 0.2 },
        { ...base, outputPricePerMTok: 'free' },
        { ...base, id: 'has space' },
        { ...base, maxOutputTokens: 0 },
        { name: 'm', provider: 'scripted' },
      ]) {
        expectError(await d.api('POST', '/api/models', body), 400, 'VALIDATION_FAILED');
      }
      const scripted = await d.api('PUT', '/api/models/scripted', { provider: 'bedrock' });
      expectError(scripted, 400, 'VALIDATION_FAILED');
    });

    it('refuses to delete a model that conversations use (4xx, never a 500)', async () => {
      await d.api('POST', '/api/models', {
        id: 'in-use',
        name: 'in use',
        provider: 'scripted',
        inputPricePerMTok: '1',
        outputPricePerMTok: '2',
      });
      const tenant = await d.api('POST', '/api/tenants', { name: 'model user' });
      const conversation = await d.api('POST', `/api/tenants/${tenant.body.id}/conversations`, {
        modelId: 'in-use',
      });
      expect(conversation.status).toBe(201);
      const res = await d.api('DELETE', '/api/models/in-use');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((await d.api('GET', '/api/models/in-use')).status).toBe(200);
    });

    it('pages through models', async () => {
      for (let i = 0; i < 4; i++) {
        await d.api('POST', '/api/models', {
          id: `paged-${i}`,
          name: `paged ${i}`,
          provider: 'scripted',
          inputPricePerMTok: '1',
          outputPricePerMTok: '1',
        });
      }
      const { items } = await collectPages(d, '/api/models', 2);
      const ids = items.map((m) => m.id as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(['scripted', 'paged-0', 'paged-1', 'paged-2', 'paged-3']));
    });
  });

  describe('conversations', () => {
    let tenantId: string;
    beforeAll(async () => {
      tenantId = (await d.api('POST', '/api/tenants', { name: 'conversations' })).body.id;
    });

    it('creates with the deployment default model, reads, archives, lists messages and deletes', async () => {
      const base = `/api/tenants/${tenantId}/conversations`;
      const created = await d.api('POST', base, { title: 'first', userId: 'u1' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        tenantId,
        title: 'first',
        userId: 'u1',
        modelId: 'scripted',
        status: 'active',
        archivedAt: null,
        workspaceEnabled: true,
      });
      const id = created.body.id as string;
      expect(await d.api('GET', `${base}/${id}`)).toMatchObject({ status: 200, body: created.body });
      expect(await d.api('GET', `${base}/${id}/messages`)).toMatchObject({
        status: 200,
        body: { items: [], nextCursor: null },
      });
      const archived = await d.api('POST', `${base}/${id}/archive`);
      expect(archived.body).toMatchObject({ id, status: 'archived' });
      expect(Date.parse(archived.body.archivedAt)).toBeGreaterThan(0);

      expect((await d.api('DELETE', `${base}/${id}`)).status).toBe(204);
      expectError(await d.api('GET', `${base}/${id}`), 404, 'NOT_FOUND');
      expectError(await d.api('GET', `${base}/${id}/messages`), 404, 'NOT_FOUND');
      expectError(await d.api('POST', `${base}/${id}/archive`), 404, 'NOT_FOUND');
      expectError(await d.api('DELETE', `${base}/${id}`), 404, 'NOT_FOUND');
    });

    it('takes the user from X-User-ID when the body names none, and filters lists by user and status', async () => {
      const base = `/api/tenants/${tenantId}/conversations`;
      const fromHeader = await request(d, 'POST', base, {
        headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json', 'x-user-id': 'header-user' },
        body: JSON.stringify({ title: 'h' }),
      });
      expect(fromHeader.body.userId).toBe('header-user');
      const other = await d.api('POST', base, { title: 'o', userId: 'other-user' });
      await d.api('POST', `${base}/${other.body.id}/archive`);

      const mine = await d.api('GET', `${base}?userId=header-user`);
      expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([fromHeader.body.id]);
      const archived = await d.api('GET', `${base}?status=archived`);
      expect(archived.body.items.map((c: { id: string }) => c.id)).toContain(other.body.id);
      expect(archived.body.items.every((c: { status: string }) => c.status === 'archived')).toBe(true);
      expectError(await d.api('GET', `${base}?status=deleted`), 400, 'VALIDATION_FAILED');
    });

    it('validates conversation bodies against models, policies and profiles', async () => {
      const base = `/api/tenants/${tenantId}/conversations`;
      for (const body of [
        { modelId: 'no-such-model' },
        { profile: 'no-such-profile' },
        { title: 'x'.repeat(501) },
        { unknown: 1 },
        { workspaceEnabled: 'yes' },
      ]) {
        expectError(await d.api('POST', base, body), 400, 'VALIDATION_FAILED');
      }
      await d.api('POST', '/api/models', {
        id: 'disabled-model',
        name: 'off',
        provider: 'scripted',
        inputPricePerMTok: '1',
        outputPricePerMTok: '1',
        enabled: false,
      });
      expectError(await d.api('POST', base, { modelId: 'disabled-model' }), 400, 'VALIDATION_FAILED');
      const restricted = await d.api('POST', '/api/tenants', {
        name: 'r',
        policy: { allowedModelIds: ['x'] },
      });
      expectError(
        await d.api('POST', `/api/tenants/${restricted.body.id}/conversations`, { modelId: 'scripted' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(await d.api('POST', '/api/tenants/no-such-tenant/conversations', {}), 404, 'NOT_FOUND');
    });

    it('pages through conversations', async () => {
      const tenant = (await d.api('POST', '/api/tenants', { name: 'many' })).body.id as string;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await d.api('POST', `/api/tenants/${tenant}/conversations`, { title: `c${i}` })).body.id);
      }
      const { items, pages } = await collectPages(d, `/api/tenants/${tenant}/conversations`, 2);
      expect(items.map((c) => c.id)).toEqual(ids);
      expect(pages).toBe(3);
    });
  });

  describe('API keys', () => {
    it('shows a created key once, stores only its hash, and lists it without the secret', async () => {
      const tenant = await d.api('POST', '/api/tenants', { name: 'keyed' });
      const created = await d.api('POST', '/api/keys', {
        name: 'ci',
        scope: 'tenant',
        tenantId: tenant.body.id,
      });
      expect(created.status).toBe(201);
      const plain = created.body.key as string;
      expect(plain).toMatch(/^agd_[A-Za-z0-9_-]{43}$/);
      expect(created.body).toMatchObject({
        name: 'ci',
        scope: 'tenant',
        tenantId: tenant.body.id,
        revokedAt: null,
      });
      expect(plain.startsWith(created.body.prefix)).toBe(true);
      expect(created.body.prefix.length).toBeLessThan(16);

      const listed = await collectPages(d, '/api/keys', 50);
      const entry = listed.items.find((k) => k.id === created.body.id);
      expect(entry).toBeDefined();
      expect(entry).not.toHaveProperty('key');
      expect(entry).not.toHaveProperty('hash');
      expect(JSON.stringify(listed.items)).not.toContain(plain);

      const row = await db.query('SELECT hash FROM api_keys WHERE id = $1', [created.body.id]);
      expect(row.rows[0].hash).toBe(createHash('sha256').update(plain).digest('hex'));
      // Nowhere in the database: every column of every table, as text.
      const tables = await db.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
      );
      for (const { tablename } of tables.rows) {
        const hits = await db.query(`SELECT count(*)::int AS n FROM "${tablename}" t WHERE t::text LIKE $1`, [
          `%${plain.slice(4)}%`,
        ]);
        expect(hits.rows[0].n, tablename).toBe(0);
      }

      // It works as a tenant key, with either header.
      expect((await d.api('GET', `/api/tenants/${tenant.body.id}`, undefined, plain)).status).toBe(200);
      const bearer = await request(d, 'GET', `/api/tenants/${tenant.body.id}`, {
        headers: { authorization: `Bearer ${plain}` },
      });
      expect(bearer.status).toBe(200);
    });

    it('a revoked key gets 401 at once; revoking is idempotent; unknown keys are 404', async () => {
      const created = await d.api('POST', '/api/keys', { name: 'temp admin', scope: 'admin' });
      expect(created.body.tenantId).toBeNull();
      expect((await d.api('GET', '/api/tenants', undefined, created.body.key)).status).toBe(200);
      const revoked = await d.api('DELETE', `/api/keys/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expect(Date.parse(revoked.body.revokedAt)).toBeGreaterThan(0);
      expectError(await d.api('GET', '/api/tenants', undefined, created.body.key), 401, 'UNAUTHENTICATED');
      expectError(await d.api('GET', '/api/models', undefined, created.body.key), 401, 'UNAUTHENTICATED');
      const again = await d.api('DELETE', `/api/keys/${created.body.id}`);
      expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
      expectError(await d.api('DELETE', '/api/keys/no-such-key'), 404, 'NOT_FOUND');
    });

    it('validates key bodies', async () => {
      for (const body of [
        { name: 'x', scope: 'tenant' },
        { name: 'x', scope: 'root' },
        { name: '', scope: 'admin' },
        { name: 'x', scope: 'admin', extra: true },
        { name: 'x', scope: 'tenant', tenantId: 'a/b' },
      ]) {
        expectError(await d.api('POST', '/api/keys', body), 400, 'VALIDATION_FAILED');
      }
      expectError(
        await d.api('POST', '/api/keys', { name: 'x', scope: 'tenant', tenantId: 'no-such-tenant' }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('audit log', () => {
    it('records every admin action with its actor and request id, paged and filtered', async () => {
      const requestIds: string[] = [];
      const call = async (method: string, path: string, body?: unknown, key = d.adminKey) => {
        const requestId = `audit-${requestIds.length}-${Date.now()}`;
        requestIds.push(requestId);
        const res = await request(d, method, path, {
          headers: {
            'x-api-key': key,
            'x-request-id': requestId,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
        return res.body;
      };
      const admin = await call('POST', '/api/keys', { name: 'auditor', scope: 'admin' });
      const tenant = await call('POST', '/api/tenants', { name: 'audited' }, admin.key);
      await call('PUT', `/api/tenants/${tenant.id}`, { name: 'audited 2' }, admin.key);
      await call(
        'POST',
        '/api/models',
        { id: 'audited-model', name: 'a', provider: 'scripted', inputPricePerMTok: 1, outputPricePerMTok: 1 },
        admin.key,
      );
      await call('PUT', '/api/models/audited-model', { name: 'b' }, admin.key);
      await call('DELETE', '/api/models/audited-model', undefined, admin.key);
      const tenantKey = await call(
        'POST',
        '/api/keys',
        { name: 't', scope: 'tenant', tenantId: tenant.id },
        admin.key,
      );
      await call('DELETE', `/api/keys/${tenantKey.id}`, undefined, admin.key);
      await call('DELETE', `/api/tenants/${tenant.id}`, undefined, admin.key);

      const expected = [
        ['key.create', `key:${admin.id}`],
        ['tenant.create', `tenant:${tenant.id}`],
        ['tenant.update', `tenant:${tenant.id}`],
        ['model.create', 'model:audited-model'],
        ['model.update', 'model:audited-model'],
        ['model.delete', 'model:audited-model'],
        ['key.create', `key:${tenantKey.id}`],
        ['key.revoke', `key:${tenantKey.id}`],
        ['tenant.delete', `tenant:${tenant.id}`],
      ];
      const { items } = await collectPages(d, '/api/audit/log', 4);
      const entries = items.filter((e) => requestIds.includes(e.requestId));
      expect(entries.map((e) => [e.action, e.target])).toEqual(expected);
      expect(entries.map((e) => e.requestId)).toEqual(requestIds);
      expect(entries[0].actor).toMatch(/^bootstrap-key:/);
      for (const entry of entries.slice(1)) expect(entry.actor).toBe(`key:${admin.id}(auditor)`);
      // The audit log never holds a key's secret.
      expect(JSON.stringify(items)).not.toContain(admin.key.slice(4));
      expect(JSON.stringify(items)).not.toContain(tenantKey.key.slice(4));

      const byAction = await d.api('GET', '/api/audit/log?action=model.delete&limit=200');
      expect(byAction.body.items.map((e: { target: string }) => e.target)).toContain('model:audited-model');
      expect(byAction.body.items.every((e: { action: string }) => e.action === 'model.delete')).toBe(true);
      const byActor = await d.api(
        'GET',
        `/api/audit/log?actor=${encodeURIComponent(`key:${admin.id}(auditor)`)}`,
      );
      expect(byActor.body.items).toHaveLength(expected.length - 1);
    });

    it('is admin-only', async () => {
      const tenant = await tenantWithKey(d, 'nosy');
      expectError(await d.api('GET', '/api/audit/log', undefined, tenant.key), 403, 'FORBIDDEN');
    });
  });
});
