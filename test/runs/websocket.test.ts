import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { tenantWithKey } from '../api/api-client.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl, type WsMessage } from '../support/ws-client.js';

const ORIGIN = 'http://app.example';

/** WebSocket transport: real `ws` clients against two real daemons sharing PostgreSQL and Redis. */
describe('WebSocket transport', () => {
  let a: TestDaemon;
  let b: TestDaemon;
  let tenant: { id: string; key: string };
  let other: { id: string; key: string };

  beforeAll(async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      AGENTD_REDIS_PREFIX: `agentd-ws-${randomId(8)}:`,
      CORS_ORIGINS: ORIGIN,
      WS_PING_INTERVAL: '300ms',
      WS_MAX_CONNECTIONS_PER_PRINCIPAL: '3',
      AGENTD_DISCONNECT_GRACE: '30s',
    };
    a = await startTestDaemon({ env });
    b = await startTestDaemon({ env, databaseUrl: a.databaseUrl });
    tenant = await tenantWithKey(a, 'ws');
    other = await tenantWithKey(a, 'ws-other');
  });
  afterAll(async () => {
    await b.destroy();
    await a.destroy();
  });

  async function conversation(d: TestDaemon = a): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenant.id}/conversations`, {}, tenant.key);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  // A test that fails midway must not leave connections that count against the next test's cap.
  const opened: WsTestClient[] = [];
  afterEach(() => {
    for (const ws of opened.splice(0)) ws.socket.terminate();
  });
  const open = async (d: TestDaemon, path: string, key?: string | null, headers = {}) => {
    const ws = await WsTestClient.open(wsUrl(d.url ?? '', path), {
      headers: { ...(key === null ? {} : { 'x-api-key': key ?? tenant.key }), ...headers },
    });
    opened.push(ws);
    return ws;
  };
  const tenantPath = (c: string) => `/api/tenants/${tenant.id}/conversations/${c}/ws`;

  function expectFramed(messages: WsMessage[]): void {
    for (const m of messages) {
      expect(typeof m.id).toBe('string');
      expect(Date.parse(m.timestamp)).toBeGreaterThan(0);
    }
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  }

  it('chat runs a turn end to end: the SSE events in order, then end; ping gets pong', async () => {
    const c = await conversation();
    const ws = await open(a, `/ws/${c}`);
    ws.send({ type: 'ping' });
    expect((await ws.next()).type).toBe('pong');
    ws.send({ type: 'chat', content: '@tool write_file {"path":"a.txt","content":"hi"}\n@say Done.' });
    const run = await ws.untilEnd();
    const events = run.filter((m) => m.seq !== undefined);
    expect(events[0]?.type).toBe('run_start');
    expect(events.slice(-2).map((m) => m.type)).toEqual(['final', 'usage']);
    events.forEach((m, i) => {
      expect(m.seq).toBe(i + 1);
      expect(m.id).toBe(`${String(m.runId)}:${i + 1}`);
    });
    const call = events.find((m) => m.type === 'tool_call');
    expect(call).toMatchObject({ name: 'write_file' });
    expect(typeof call?.toolUseId).toBe('string');
    expect(run.at(-1)).toMatchObject({ type: 'end', runId: events[0]?.runId, status: 'succeeded' });
    expectFramed(run);
    // Exactly the events SSE replays for the same run, apart from `id`: on SSE a tool event's `id` is its tool
    // use's (as `toolUseId` on both), on WebSocket every message's own.
    const replay = await sse(
      `${a.url}/api/tenants/${tenant.id}/conversations/${c}/runs/${String(events[0]?.runId)}/events`,
      { method: 'GET', headers: { 'x-api-key': tenant.key } },
    );
    expect(replay.events.map((e) => e.data)).toEqual(
      events.map(({ id: _id, ...rest }) =>
        rest.toolUseId === undefined ? rest : { ...rest, id: rest.toolUseId },
      ),
    );
    // The tenant route works too, with the tenant key and with an admin key.
    for (const key of [tenant.key, a.adminKey]) {
      const ws2 = await open(a, tenantPath(c), key);
      ws2.send({ type: 'chat', content: '@say again' });
      expect((await ws2.untilEnd()).at(-1)).toMatchObject({ status: 'succeeded' });
      await ws2.close();
    }
    await ws.close();
  });

  it('cancel stops the active run; a second chat meanwhile is CONVERSATION_BUSY naming it', async () => {
    const c = await conversation();
    const ws = await open(a, `/ws/${c}`);
    ws.send({ type: 'chat', content: '@say working\n@sleep 60000\n@say never' });
    const started = await ws.next((m) => m.type === 'text');
    ws.send({ type: 'chat', content: '@say second' });
    const busy = await ws.next((m) => m.type === 'error');
    expect(busy).toMatchObject({ code: 'CONVERSATION_BUSY', runId: started.runId, recoverable: true });
    expect(busy.details).toMatchObject({ runId: started.runId });
    ws.send({ type: 'cancel' });
    const end = await ws.next((m) => m.type === 'end');
    expect(end).toMatchObject({ runId: started.runId, status: 'cancelled' });
    ws.send({ type: 'cancel' });
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({ code: 'NOT_FOUND' });
    await ws.close();
  });

  it('an invalid, unknown, oversized or binary message gets an error and the connection stays usable', async () => {
    const c = await conversation();
    const ws = await open(a, `/ws/${c}`);
    const bad: [string | Buffer, RegExp][] = [
      ['{not json', /not JSON/],
      [JSON.stringify({ type: 'launch' }), /unknown message type/],
      [JSON.stringify({ type: 'chat' }), /invalid chat message/],
      [JSON.stringify({ type: 'chat', content: 'x'.repeat(200_001) }), /invalid chat message/],
      [JSON.stringify({ type: 'chat', content: 'x'.repeat(2 * 1024 * 1024) }), /too large/],
      [JSON.stringify({ type: 'resume', runId: '../x', lastEventId: 0 }), /invalid resume message/],
      [Buffer.from([1, 2, 3]), /text frames only/],
    ];
    for (const [frame, message] of bad) {
      ws.socket.send(frame, { binary: Buffer.isBuffer(frame) });
      const error = await ws.next();
      expect(error).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED', severity: 'error' });
      expect(String(error.message)).toMatch(message);
      expect(typeof error.requestId).toBe('string');
    }
    ws.send({ type: 'ping' });
    expect((await ws.next()).type).toBe('pong');
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    expectFramed(ws.messages);
    await ws.close();
  });

  it('resume: mid-run after a disconnect and after the end, from the sequence number given', async () => {
    const c = await conversation();
    const first = await open(a, `/ws/${c}`);
    first.send({ type: 'chat', content: '@say one\n@sleep 1500\n@say two' });
    const text = await first.next((m) => m.type === 'text');
    const runId = String(text.runId);
    await first.close();
    const second = await open(a, `/ws/${c}`);
    second.send({ type: 'resume', runId, lastEventId: text.seq });
    const rest = await second.untilEnd(runId);
    expect(rest[0]?.seq).toBe(Number(text.seq) + 1);
    expect(rest.map((m) => m.type)).toContain('final');
    expect(rest.at(-1)).toMatchObject({ type: 'end', status: 'succeeded' });
    const last = Number(rest.at(-2)?.seq);
    // After the end: a resume from the middle replays the tail; one at the end gets just `end`.
    second.send({ type: 'resume', runId, lastEventId: String(last - 1) });
    expect((await second.untilEnd(runId)).map((m) => m.seq ?? m.type)).toEqual([last, 'end']);
    second.send({ type: 'resume', runId, lastEventId: last });
    expect((await second.untilEnd(runId)).map((m) => m.type)).toEqual(['end']);
    // A run of another conversation is not found.
    const elsewhere = await open(a, `/ws/${await conversation()}`);
    elsewhere.send({ type: 'resume', runId, lastEventId: 0 });
    expect(await elsewhere.next()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    await Promise.all([second.close(), elsewhere.close()]);
  });

  it('a run started over WebSocket resumes over SSE on another node, and the other way round', async () => {
    const c = await conversation();
    const ws = await open(a, `/ws/${c}`);
    ws.send({ type: 'chat', content: '@say ws-one\n@sleep 1500\n@say ws-two' });
    const text = await ws.next((m) => m.type === 'text');
    await ws.close();
    const resumed = await sse(
      `${b.url}/api/tenants/${tenant.id}/conversations/${c}/runs/${String(text.runId)}/events`,
      { method: 'GET', headers: { 'x-api-key': tenant.key, 'last-event-id': String(text.seq) } },
    );
    expect(resumed.events[0]?.data.seq).toBe(Number(text.seq) + 1);
    expect(resumed.events.map((e) => e.data.delta).join('')).toContain('ws-two');
    expect(resumed.done).toBe(true);

    let seen = 0;
    let runId = '';
    await sse(`${b.url}/api/tenants/${tenant.id}/conversations/${c}/stream`, {
      body: { message: '@say sse-one\n@sleep 1500\n@say sse-two' },
      headers: { 'x-api-key': tenant.key },
      onEvent: (e) => {
        runId = String(e.data.runId);
        seen = Number(e.data.seq);
        return e.data.type === 'text';
      },
    });
    const later = await open(a, `/ws/${c}`);
    later.send({ type: 'resume', runId, lastEventId: seen });
    const rest = await later.untilEnd(runId);
    expect(rest[0]?.seq).toBe(seen + 1);
    expect(rest.map((m) => m.delta).join('')).toContain('sse-two');
    expect(rest.at(-1)).toMatchObject({ type: 'end', status: 'succeeded' });
    await later.close();
  });

  it('refuses at the upgrade with a close code: no or bad credential 4001, origin/tenant/admin/cap 1008', async () => {
    const c = await conversation();
    expect((await (await open(a, `/ws/${c}`, null)).closed).code).toBe(4001);
    expect((await (await open(a, `/ws/${c}`, 'agd_wrong')).closed).code).toBe(4001);
    const badOrigin = await open(a, `/ws/${c}`, tenant.key, { origin: 'http://evil.example' });
    expect(await badOrigin.closed).toMatchObject({ code: 1008, reason: 'origin not allowed' });
    const admin = await open(a, `/ws/${c}`, a.adminKey);
    expect((await admin.closed).code).toBe(1008);
    const foreign = await open(a, tenantPath(c), other.key);
    expect((await foreign.closed).code).toBe(1008);
    // Nothing sent before the refusal reaches a run.
    const early = await open(a, `/ws/${c}`, 'agd_wrong');
    early.send({ type: 'chat', content: '@say must not run' });
    expect((await early.closed).code).toBe(4001);
    const runs = await a.api(
      'GET',
      `/api/tenants/${tenant.id}/conversations/${c}/messages`,
      undefined,
      tenant.key,
    );
    expect(runs.body.items).toEqual([]);

    // The allowed origin passes; the cap (3) counts this key's connections, not another key's (a key of its
    // own, so a connection another test leaves open cannot decide this one).
    const capped = await tenantWithKey(a, 'ws-capped');
    const cc = (await a.api('POST', `/api/tenants/${capped.id}/conversations`, {}, capped.key)).body
      .id as string;
    const held = [await open(a, `/ws/${cc}`, capped.key, { origin: ORIGIN })];
    held.push(await open(a, `/ws/${cc}`, capped.key), await open(a, `/ws/${cc}`, capped.key));
    for (const ws of held) {
      ws.send({ type: 'ping' });
      expect((await ws.next()).type).toBe('pong');
    }
    const over = await open(a, `/ws/${cc}`, capped.key, { 'x-user-id': 'someone-else' });
    expect(await over.closed).toMatchObject({ code: 1008, reason: /too many/ });
    const otherKey = await open(a, `/api/tenants/${capped.id}/conversations/${cc}/ws`, a.adminKey);
    otherKey.send({ type: 'ping' });
    expect((await otherKey.next()).type).toBe('pong');
    const gauge = await a.metrics.registry.getSingleMetric('agentd_ws_connections')?.get();
    expect(gauge?.values[0]?.value).toBeGreaterThanOrEqual(4);
    await Promise.all([...held, otherKey].map((ws) => ws.close()));
  });

  it("refuses a conversation that is not there, archived, deleted or another tenant's at connect with 1008", async () => {
    const archived = await conversation();
    expect(
      (
        await a.api(
          'POST',
          `/api/tenants/${tenant.id}/conversations/${archived}/archive`,
          undefined,
          tenant.key,
        )
      ).status,
    ).toBe(200);
    const deleted = await conversation();
    expect(
      (await a.api('DELETE', `/api/tenants/${tenant.id}/conversations/${deleted}`, undefined, tenant.key))
        .status,
    ).toBe(204);
    const theirs = (await a.api('POST', `/api/tenants/${other.id}/conversations`, {}, other.key)).body
      .id as string;
    const refusals: [string, string | undefined, RegExp][] = [
      [`/ws/missing-${randomId(16)}`, undefined, /^conversation missing-\w+ not found$/],
      [`/ws/${archived}`, undefined, new RegExp(`^conversation ${archived} is archived$`)],
      [`/ws/${deleted}`, undefined, new RegExp(`^conversation ${deleted} not found$`)],
      [`/ws/${theirs}`, undefined, /not found$/],
      // An admin may name any tenant, but the conversation must be that tenant's.
      [tenantPath(theirs), a.adminKey, /not found$/],
    ];
    for (const [path, key, reason] of refusals) {
      const ws = await open(a, path, key);
      // Sent before the refusal: it must not reach a run, and no `error` message precedes the close.
      ws.send({ type: 'chat', content: '@say must not run' });
      expect(await ws.closed).toMatchObject({ code: 1008, reason });
      expect(ws.messages).toEqual([]);
    }
    // Its own tenant's key reaches it.
    const ok = await open(a, `/ws/${theirs}`, other.key);
    ok.send({ type: 'ping' });
    expect((await ok.next()).type).toBe('pong');
    await ok.close();
  });

  it('closes a peer that does not answer ping frames with 4000', async () => {
    const own = await tenantWithKey(a, 'ws-heartbeat');
    const c = (await a.api('POST', `/api/tenants/${own.id}/conversations`, {}, own.key)).body.id as string;
    const ws = await WsTestClient.open(wsUrl(a.url ?? '', `/ws/${c}`), {
      headers: { 'x-api-key': own.key },
      autoPong: false,
    });
    expect((await ws.closed).code).toBe(4000);
  });

  it('at shutdown every connection gets server_shutdown and close 1001, and shutdown does not wait on it', async () => {
    const c = await conversation(b);
    const idle = await open(b, `/ws/${c}`);
    const silent = await WsTestClient.open(wsUrl(b.url ?? '', `/ws/${c}`), {
      headers: { 'x-api-key': tenant.key },
    });
    // A peer that never answers the close frame must not hold the node's shutdown.
    silent.socket.pause();
    await b.shutdown();
    expect(idle.messages.at(-1)).toMatchObject({ type: 'server_shutdown' });
    expect((await idle.closed).code).toBe(1001);
    silent.socket.resume();
    expect([1001, 1006]).toContain((await silent.closed).code);
  });
});
