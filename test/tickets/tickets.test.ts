import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentdError } from '../../orchestrator/src/common/errors.js';
import { expectError, request, tenantWithKey } from '../api/api-client.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const ORIGIN = 'https://app.example';

/** Waits until `at` (epoch ms) has passed: the bound the configured TTL or grace sets, nothing more. */
async function until(at: number): Promise<void> {
  const wait = at - Date.now() + 20;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

describe('browser tickets (conversation and run tickets, revocation, CORS preflight)', () => {
  let d: TestDaemon;
  let a: { id: string; key: string; keyId: string };
  let b: { id: string; key: string; keyId: string };
  let conversationId: string;
  let otherConversationId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: { AGENTD_TICKET_TTL: '1s', AGENTD_DISCONNECT_GRACE: '1s', CORS_ORIGINS: ORIGIN },
    });
    a = await tenantWithKey(d, 'tickets-a');
    b = await tenantWithKey(d, 'tickets-b');
    const conv = await d.api('POST', `/api/tenants/${a.id}/conversations`, { title: 't' }, a.key);
    conversationId = conv.body.id;
    const other = await d.api('POST', `/api/tenants/${a.id}/conversations`, { title: 'u' }, a.key);
    otherConversationId = other.body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  const conversationPath = () => `/api/tenants/${a.id}/conversations/${conversationId}`;

  /** The principal a WebSocket upgrade to the conversation would get, or the error it would close with. */
  async function upgrade(ticket: string, conversation = conversationId, tenantId = a.id) {
    return d
      .authenticate(
        {
          headers: {},
          url: `/api/tenants/${tenantId}/conversations/${conversation}/ws?ticket=${encodeURIComponent(ticket)}`,
          params: { tenantId, conversationId: conversation },
        },
        'conversation',
      )
      .then(
        (principal) => ({ principal, code: undefined, reason: undefined }),
        (err: unknown) => {
          const { code, details } = err as AgentdError;
          return { principal: undefined, code, reason: details?.reason };
        },
      );
  }

  it('a run ticket opens that run’s event stream from a browser, reconnects, and ends with the run plus the grace', async () => {
    let runId = '';
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = sse(`${d.url}${conversationPath()}/stream`, {
      body: { message: '@sleep 1500\n@say slow' },
      headers: { 'x-api-key': a.key },
      onEvent: (e) => {
        runId = String(e.data.runId);
        started();
      },
    });
    await running;
    const issued = await d.api('POST', `${conversationPath()}/runs/${runId}/tickets`, {}, a.key);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ kind: 'run', runId, conversationId });
    expect(issued.body.id).toMatch(/^tkt_/);
    expect(issued.body.ticket).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(issued.body.expiresAt)).toBeGreaterThan(Date.now());
    const ticket = issued.body.ticket as string;
    const events = (query: string, headers: Record<string, string> = {}) =>
      sse(`${d.url}${conversationPath()}/runs/${runId}/events?${query}`, {
        method: 'GET',
        headers,
        onEvent: () => true,
      });

    // Reusable while the run goes on (EventSource reconnects with Last-Event-ID).
    const live = await events(`ticket=${ticket}`);
    expect(live.status).toBe(200);
    expect(live.events[0]?.data.runId).toBe(runId);
    const again = await events(`ticket=${ticket}`, { 'last-event-id': '1' });
    expect(again.status).toBe(200);
    expect(again.events[0]?.data.seq).toBe(2);

    // Bound to its run, conversation and tenant: anywhere else it is "not found".
    const elsewhere = await sse(
      `${d.url}/api/tenants/${a.id}/conversations/${otherConversationId}/runs/${runId}/events?ticket=${ticket}`,
      { method: 'GET' },
    );
    expect([elsewhere.status, elsewhere.error?.error.code]).toEqual([404, 'NOT_FOUND']);
    const otherRun = await sse(`${d.url}${conversationPath()}/runs/run_nope/events?ticket=${ticket}`, {
      method: 'GET',
    });
    expect([otherRun.status, otherRun.error?.error.code]).toEqual([404, 'NOT_FOUND']);
    const otherTenant = await sse(
      `${d.url}/api/tenants/${b.id}/conversations/${conversationId}/runs/${runId}/events?ticket=${ticket}`,
      { method: 'GET' },
    );
    expect([otherTenant.status, otherTenant.error?.error.code]).toEqual([404, 'NOT_FOUND']);
    // Only that route takes it: the run itself, or any other route, needs a header credential.
    const runJson = await request(d, 'GET', `${conversationPath()}/runs/${runId}?ticket=${ticket}`);
    expectError(runJson, 401, 'UNAUTHENTICATED');
    expect(runJson.body.error.details.reason).toBe('url_credential_not_accepted');

    expect((await first).done).toBe(true);
    // After the end, within the grace: a reconnect replays the rest and sees the end.
    const after = await sse(`${d.url}${conversationPath()}/runs/${runId}/events?ticket=${ticket}`, {
      method: 'GET',
    });
    expect(after.status).toBe(200);
    expect(after.done).toBe(true);
    const run = await d.api('GET', `${conversationPath()}/runs/${runId}`, undefined, a.key);
    await until(Date.parse(run.body.finishedAt) + 1_000);
    const ended = await request(d, 'GET', `${conversationPath()}/runs/${runId}/events?ticket=${ticket}`);
    expectError(ended, 401, 'UNAUTHENTICATED');
    expect(ended.body.error.details.reason).toBe('run_ended');
  });

  it('issuing is the tenant’s own: 404 for another tenant’s key, an unknown run or conversation', async () => {
    expectError(await d.api('POST', `${conversationPath()}/tickets`, {}, b.key), 404, 'NOT_FOUND');
    expectError(
      await d.api('POST', `${conversationPath()}/runs/run_nope/tickets`, {}, a.key),
      404,
      'NOT_FOUND',
    );
    expectError(
      await d.api('POST', `/api/tenants/${a.id}/conversations/conv_nope/tickets`, {}, a.key),
      404,
      'NOT_FOUND',
    );
    expectError(await request(d, 'POST', `${conversationPath()}/tickets`), 401, 'UNAUTHENTICATED');
    // An admin key issues for the tenant; the ticket is still bound to it.
    const admin = await d.api('POST', `${conversationPath()}/tickets`, {});
    expect(admin.status).toBe(201);
    const used = await upgrade(admin.body.ticket);
    expect(used.principal).toMatchObject({ scope: 'tenant', tenantId: a.id });
  });

  it('a conversation ticket is consumed once at the upgrade, expires after its TTL, and acts as its issuer', async () => {
    const issued = await d.api('POST', `${conversationPath()}/tickets`, {}, a.key);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ kind: 'conversation', conversationId });
    expect(issued.body.runId).toBeUndefined();
    const ticket = issued.body.ticket as string;

    // Wrong conversation or tenant: not found, and not used up by the attempt.
    expect((await upgrade(ticket, otherConversationId)).code).toBe('NOT_FOUND');
    expect((await upgrade(ticket, conversationId, b.id)).code).toBe('NOT_FOUND');
    const ok = await upgrade(ticket);
    expect(ok.principal).toEqual({
      scope: 'tenant',
      tenantId: a.id,
      keyId: a.keyId,
      credential: 'ticket',
      actor: expect.stringMatching(new RegExp(`^ticket:${issued.body.id as string} \\(by key:`)),
      ticket: { id: issued.body.id, kind: 'conversation', conversationId },
    });
    expect(await upgrade(ticket)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ticket_used' });
    // Not a run ticket: the events route refuses it.
    const asRun = await request(d, 'GET', `${conversationPath()}/runs/run_x/events?ticket=${ticket}`);
    expectError(asRun, 401, 'UNAUTHENTICATED');
    expect(asRun.body.error.details.reason).toBe('ticket_kind');

    const late = await d.api('POST', `${conversationPath()}/tickets`, {}, a.key);
    await until(Date.parse(late.body.expiresAt));
    expect(await upgrade(late.body.ticket)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'ticket_expired',
    });
    expect(await upgrade('agt_never-issued')).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'ticket_unknown',
    });
  });

  it("a revoked key's tickets stop working at once (a ticket acts as its issuer)", async () => {
    const key = await d.api('POST', '/api/keys', { name: 'short-lived', scope: 'tenant', tenantId: a.id });
    expect(key.status).toBe(201);
    const issued = await d.api('POST', `${conversationPath()}/tickets`, {}, key.body.key);
    expect(issued.status).toBe(201);
    expect((await d.api('DELETE', `/api/keys/${key.body.id as string}`)).status).toBe(200);
    expect(await upgrade(issued.body.ticket)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'issuer_revoked',
    });
  });

  it('revokes a ticket of the tenant; another tenant gets 404', async () => {
    const issued = await d.api('POST', `${conversationPath()}/tickets`, {}, a.key);
    const path = (tenantId: string) => `/api/tenants/${tenantId}/tickets/${issued.body.id as string}`;
    expectError(await d.api('DELETE', path(b.id), undefined, b.key), 404, 'NOT_FOUND');
    expectError(await d.api('DELETE', path(a.id), undefined, b.key), 404, 'NOT_FOUND');
    expect((await d.api('DELETE', path(a.id), undefined, a.key)).status).toBe(204);
    expectError(await d.api('DELETE', path(a.id), undefined, a.key), 404, 'NOT_FOUND');
    expect(await upgrade(issued.body.ticket)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'ticket_unknown',
    });
  });

  it('URL credentials elsewhere are refused with a reason; a header credential wins over one', async () => {
    const issued = await d.api('POST', `${conversationPath()}/tickets`, {}, a.key);
    for (const query of [`ticket=${issued.body.ticket as string}`, 'token=eyJ.x.y', 'api_key=agd_x']) {
      const res = await request(d, 'GET', `/api/tenants/${a.id}/conversations?${query}`);
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.body.error.details.reason).toBe('url_credential_not_accepted');
    }
    const withHeader = await request(d, 'GET', `/api/tenants/${a.id}/conversations?ticket=whatever`, {
      headers: { 'x-api-key': a.key },
    });
    expect(withHeader.status).toBe(200);
  });

  it('answers a CORS preflight from an allowed origin without credentials, and none from another origin', async () => {
    const preflight = (origin: string) =>
      request(d, 'OPTIONS', `${conversationPath()}/runs/run_x/events`, {
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'last-event-id, x-api-key',
        },
      });
    const allowed = await preflight(ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const allowHeaders = (allowed.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(/,\s*/);
    for (const header of [
      'last-event-id',
      'x-api-key',
      'authorization',
      'content-type',
      'x-user-id',
      'x-tenant-id',
    ])
      expect(allowHeaders).toContain(header);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('GET');

    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const simple = await request(d, 'GET', `/api/tenants/${a.id}/conversations`, {
      headers: { origin: ORIGIN, 'x-api-key': a.key },
    });
    expect(simple.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = (simple.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    for (const header of [
      'x-run-id',
      'x-request-id',
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
    ])
      expect(exposed).toContain(header);
  });

  it('documents the ticket routes and the ticket security scheme in OpenAPI', async () => {
    const doc = await d.api('GET', '/docs/json');
    expect(doc.body.components.securitySchemes.ticket).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'query', name: 'ticket' }),
    );
    const paths = doc.body.paths as Record<string, Record<string, any>>;
    const base = '/api/tenants/{tenantId}/conversations/{conversationId}';
    expect(paths[`${base}/tickets`]?.post?.responses?.['201']).toBeDefined();
    expect(paths[`${base}/runs/{runId}/tickets`]?.post?.responses?.['201']).toBeDefined();
    expect(paths['/api/tenants/{tenantId}/tickets/{ticketId}']?.delete?.responses?.['204']).toBeDefined();
    expect(paths[`${base}/runs/{runId}/events`]?.get?.security).toContainEqual({ ticket: [] });
    expect(paths[`${base}/runs/{runId}`]?.get?.security ?? []).not.toContainEqual({ ticket: [] });
  });
});
