import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdClient, AgentdError, type RunEvent } from '../../client/src/index.js';
import { cuttingProxy, type CuttingProxy } from '../support/cutting-proxy.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** Per key; each test that runs turns uses its own key, so none eats another's budget. */
const RUNS_PER_PERIOD = 3;

/** @agentd/client against a real agentd: the calls a platform's backend makes, streams, errors, retries. */
describe('@agentd/client against a running agentd', () => {
  let d: TestDaemon;
  let proxy: CuttingProxy;
  let admin: AgentdClient;
  let tenantId: string;

  /** A client with a fresh key of the tenant (its own rate-limit budget). */
  const tenantClient = async (baseUrl = d.url ?? '', retry = {}): Promise<AgentdClient> => {
    const created = await admin.keys.create({ name: `k-${Math.random()}`, scope: 'tenant', tenantId });
    return new AgentdClient({ baseUrl, apiKey: created.key, retry });
  };

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_REQUESTS: String(RUNS_PER_PERIOD),
        RATE_LIMIT_PERIOD: '2s',
      },
    });
    proxy = await cuttingProxy(Number(new URL(d.url ?? '').port));
    admin = new AgentdClient({ baseUrl: d.url ?? '', apiKey: d.adminKey });
    tenantId = (await admin.tenants.create({ name: 'client-sdk' })).id;
  });
  afterAll(async () => {
    await proxy[Symbol.asyncDispose]();
    await d.destroy();
  });

  it('streams a run through a connection that is cut mid-run: every event once, in order, to the end', async () => {
    // Through the proxy, which the test cuts: the client resumes with Last-Event-ID by itself.
    const client = await tenantClient(`http://127.0.0.1:${proxy.port}`);
    const models = await client.models.list();
    expect(models.items.map((m) => m.id)).toContain('scripted');
    const conversation = await client.conversations.create(tenantId, { modelId: 'scripted', title: 'sdk' });
    const stream = client.runs.stream(
      tenantId,
      conversation.id,
      [
        '@say Part one.',
        '@tool bash {"command":"sleep 1"}',
        '@say Part two.',
        '@tool bash {"command":"sleep 1"}',
        '@say Done.',
      ].join('\n'),
    );
    const events: RunEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (events.length === 3) proxy.cut();
    }
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(events[0]?.type).toBe('run_start');
    expect(events.slice(-2).map((e) => e.type)).toEqual(['final', 'usage']);
    expect(stream.resumes).toBeGreaterThanOrEqual(1);
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    expect(stream.final?.content).toContain('Done.');
    const toolCalls = events.filter((e) => e.type === 'tool_call');
    expect(toolCalls.map((e) => e.name)).toEqual(['bash', 'bash']);

    const run = await client.runs.get(tenantId, conversation.id, stream.runId ?? '');
    expect(run).toMatchObject({ id: stream.runId, status: 'succeeded' });

    // A browser's way back in: a run ticket, and a client that holds no credential at all.
    const ticket = await client.tickets.run(tenantId, conversation.id, stream.runId ?? '');
    const page = new AgentdClient({ baseUrl: d.url ?? '' });
    const replay = page.runs.events(tenantId, conversation.id, stream.runId ?? '', {
      ticket: ticket.ticket,
      lastEventId: 2,
    });
    const replayed: number[] = [];
    for await (const event of replay) replayed.push(Number(event.seq));
    expect(replayed).toEqual(seqs.slice(2));
  });

  it('query, history, workspace files and usage', async () => {
    const client = await tenantClient();
    const { id } = await client.conversations.create(tenantId, { modelId: 'scripted' });
    const answer = await client.runs.query(
      tenantId,
      id,
      '@tool write_file {"path":"notes/todo.txt","content":"ship it\\n"}\n@tool read_file {"path":"notes/todo.txt"}\n@result',
    );
    expect(answer.final).toContain('ship it');
    const messages = await client.conversations.messages(tenantId, id, { limit: 10 });
    expect(messages.items.length).toBeGreaterThan(1);

    const files = await client.workspace.list(tenantId, id);
    expect(files.items.map((f) => f.path)).toContain('notes/todo.txt');
    expect(await client.workspace.readText(tenantId, id, 'notes/todo.txt')).toBe('ship it\n');
    const uploaded = await client.workspace.upload(tenantId, id, 'input/order one.csv', 'id,qty\n1,3\n');
    expect(uploaded).toEqual({
      path: 'input/order one.csv',
      size: 11,
      etag: expect.any(String),
      modified: expect.any(String),
      executable: false,
    });
    expect(await client.workspace.readText(tenantId, id, 'input/order one.csv')).toBe('id,qty\n1,3\n');
    await client.workspace.delete(tenantId, id, 'input/order one.csv');
    await expect(client.workspace.readText(tenantId, id, 'input/order one.csv')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const usage = await client.usage.get(tenantId, { groupBy: 'model', from: '2020-01-01T00:00:00Z' });
    expect(usage).toMatchObject({ tenantId, groupBy: 'model', groups: [{ key: 'scripted' }] });
    expect(usage.total).toMatchObject({ runs: expect.any(Number), costUsd: expect.any(String) });
    expect(usage.total.runs).toBeGreaterThanOrEqual(1);
  });

  it('a WebSocket session: chat, its events, then end (the client buys a ticket with its key)', async () => {
    const client = await tenantClient();
    const { id } = await client.conversations.create(tenantId, { modelId: 'scripted' });
    const socket = await client.sockets.conversation(tenantId, id);
    const types: string[] = [];
    let text = '';
    for await (const message of socket.chat('@say Hello over WebSocket')) {
      types.push(message.type);
      if (message.type === 'text') text += message.delta;
      if (message.type === 'end') expect(message.status).toBe('succeeded');
    }
    expect(types[0]).toBe('run_start');
    expect(types.at(-1)).toBe('end');
    expect(text).toContain('Hello over WebSocket');
    socket.close();
  });

  it('simple chats, the session API, secrets, and the operator and security views', async () => {
    const client = await tenantClient();
    const chat = client.simpleChats.stream(tenantId, { message: '@say Hello from a chat.' });
    expect(await chat.finalText()).toContain('Hello from a chat.');
    const chatId = chat.conversationId ?? '';
    expect((await client.simpleChats.get(tenantId, chatId)).kind).toBe('chat');
    expect((await client.simpleChats.list(tenantId)).items.map((c) => c.id)).toContain(chatId);
    await client.simpleChats.delete(tenantId, chatId);

    const session = await client.sessions.create();
    const answer = await client.sessions.query({
      message: '@say In a session.',
      session_id: session.session_id,
    });
    expect(answer).toMatchObject({ session_id: session.session_id, status: 'succeeded' });
    expect(answer.response).toContain('In a session.');
    await client.sessions.delete(session.session_id);

    const secret = await client.secrets.set(tenantId, 'api-token', { value: 's3cr3t' });
    expect(secret).toMatchObject({ name: 'api-token', version: 1 });
    expect(JSON.stringify(await client.secrets.list(tenantId))).not.toContain('s3cr3t');
    await client.secrets.delete(tenantId, 'api-token');

    expect((await admin.tenants.get(tenantId)).name).toBe('client-sdk');
    expect(await admin.admin.policies()).toBeTypeOf('object');
    expect(await admin.audit.profiles()).toBeTypeOf('object');
    expect((await admin.audit.log({ limit: 5 })).items.length).toBeGreaterThan(0);
    expect(await admin.health.live()).toBeTypeOf('object');
    expect(await admin.health.metrics()).toContain('# TYPE');
    await expect(client.admin.nodes()).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('typed errors: code, status, severity, requestId', async () => {
    const client = await tenantClient();
    const err = await client.conversations.get(tenantId, 'no-such-conversation').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentdError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404, severity: 'error', recoverable: false });
    expect((err as AgentdError).requestId).toMatch(/\S/);
    const stranger = new AgentdClient({ baseUrl: d.url ?? '', apiKey: 'agd_not-a-key' });
    await expect(stranger.models.list()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('a 429 with Retry-After: waited out and retried, or reported with retryAfter when retries are off', async () => {
    const patient = await tenantClient(d.url, { retries: 3, maxDelayMs: 5_000 });
    const { id } = await patient.conversations.create(tenantId, { modelId: 'scripted' });
    for (let i = 0; i < RUNS_PER_PERIOD; i += 1) await patient.runs.query(tenantId, id, `@say ${i}`);
    // Over the budget: agentd answers 429 RATE_LIMITED with Retry-After; the client waits and gets through.
    const started = Date.now();
    expect((await patient.runs.query(tenantId, id, '@say later')).final).toContain('later');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);

    const hasty = await tenantClient(d.url, { retries: 0 });
    for (let i = 0; i < RUNS_PER_PERIOD; i += 1) await hasty.runs.query(tenantId, id, `@say ${i}`);
    const err = await hasty.runs.query(tenantId, id, '@say now').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, recoverable: true });
    expect((err as AgentdError).retryAfter).toBeGreaterThan(0);
  });
});
