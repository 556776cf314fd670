import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, types } from '../support/sse-client.js';
import { Fleet } from './fleet-harness.js';

/** Two real agentd processes (A and B) sharing PostgreSQL, Redis and the Docker engine. */
describe('a fleet of two nodes', () => {
  const fleet = new Fleet({
    AGENTD_LOCK_TTL: '3s',
    AGENTD_HEARTBEAT_TTL: '3s',
    AGENTD_DISCONNECT_GRACE: '2s',
    SHUTDOWN_TIMEOUT: '20s',
  });
  let tenantId: string;

  beforeAll(async () => {
    await fleet.setUp();
    await fleet.start('node-a');
    await fleet.start('node-b');
    tenantId = (await fleet.api('node-a', 'POST', '/api/tenants', { name: 'fleet' })).body.id;
  });
  afterAll(async () => {
    await fleet.tearDown();
  });

  async function conversation(): Promise<string> {
    return (await fleet.api('node-a', 'POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
  }
  const base = (conversationId: string) => `/api/tenants/${tenantId}/conversations/${conversationId}`;

  it('never runs a conversation twice at once, whichever node the requests hit', async () => {
    const id = await conversation();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fleet.api(i % 2 === 0 ? 'node-a' : 'node-b', 'POST', `${base(id)}/query`, {
            message: '@sleep 300\n@say x',
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    }
    // The runs that did happen never overlapped in time.
    const db = await import('pg');
    const client = new db.default.Client({ connectionString: fleet.databaseUrl });
    await client.connect();
    let rows: { startedAt: Date; finishedAt: Date }[];
    try {
      rows = (
        await client.query<{ startedAt: Date; finishedAt: Date }>(
          'SELECT started_at AS "startedAt", finished_at AS "finishedAt" FROM runs WHERE conversation_id = $1 ORDER BY started_at',
          [id],
        )
      ).rows;
    } finally {
      await client.end();
    }
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finishedAt.getTime());
    }
  });

  it('resumes a stream on the other node with Last-Event-ID, and the run is not cancelled meanwhile', async () => {
    const id = await conversation();
    let lastId = '';
    let runId = '';
    await sse(`${fleet.node('node-a').url}${base(id)}/stream`, {
      body: { message: '@say first\n@sleep 3000\n@say second' },
      headers: { 'x-api-key': fleet.adminKey },
      onEvent: (e) => {
        lastId = e.id ?? lastId;
        runId = String(e.data.runId);
        return e.data.type === 'text';
      },
    });
    // The client is gone from A; it comes back on B (past A's 2 s disconnect grace would be fatal without B's watch).
    const resumed = await sse(`${fleet.node('node-b').url}${base(id)}/runs/${runId}/events`, {
      method: 'GET',
      headers: { 'x-api-key': fleet.adminKey, 'last-event-id': lastId },
    });
    expect(resumed.done).toBe(true);
    expect(Number(resumed.events[0]?.id)).toBe(Number(lastId) + 1);
    expect(resumed.events.at(-2)?.data).toMatchObject({ type: 'final' });
    expect(String(resumed.events.at(-2)?.data.content)).toContain('second');
    expect((await fleet.api('node-b', 'GET', `${base(id)}/runs/${runId}`)).body.status).toBe('succeeded');
    // Past the end, on any node, nothing more will come: 204 (an EventSource stops reconnecting).
    const end = await fetch(`${fleet.node('node-a').url}${base(id)}/runs/${runId}/events`, {
      headers: { 'x-api-key': fleet.adminKey, 'last-event-id': String(resumed.events.at(-1)?.id) },
    });
    expect(end.status).toBe(204);
  });

  it('cancels a run from the node that does not run it', async () => {
    const id = await conversation();
    let runId = '';
    const stream = sse(`${fleet.node('node-a').url}${base(id)}/stream`, {
      body: { message: '@tool bash {"command":"sleep 60"}\n@say never' },
      headers: { 'x-api-key': fleet.adminKey },
      onEvent: async (e) => {
        if (e.data.type === 'run_start') runId = String(e.data.runId);
        if (e.data.type === 'tool_call') {
          const res = await fleet.api('node-b', 'POST', `${base(id)}/runs/${runId}/cancel`);
          expect(res.status).toBe(202);
        }
      },
    });
    const res = await stream;
    expect(res.events.find((e) => e.data.type === 'error')?.data.code).toBe('RUN_CANCELLED');
    expect(res.done).toBe(true);
  });

  it('moves a conversation to another node: it runs there, and the old node reaps its stale sandbox', async () => {
    const id = await conversation();
    expect((await fleet.api('node-a', 'POST', `${base(id)}/query`, { message: 'on a' })).status).toBe(200);
    const before = await fleet.containers('node-a');
    expect((await fleet.api('node-b', 'POST', `${base(id)}/query`, { message: 'on b' })).status).toBe(200);
    const messages = (await fleet.api('node-b', 'GET', `${base(id)}/messages`)).body.items as unknown[];
    expect(messages).toHaveLength(4);
    // A's reaper notices that B owns the conversation now (reaper interval 1 s in this fleet's node A? default 10 s).
    await expect
      .poll(async () => (await fleet.containers('node-a')).filter((c) => before.includes(c)).length, {
        timeout: 30_000,
        interval: 500,
      })
      .toBeLessThan(before.length);
  });

  it('drains on SIGTERM: streams get server_shutdown, runs finish, the process exits 0', async () => {
    const c = await fleet.start('node-c');
    const ids = await Promise.all([conversation(), conversation(), conversation()]);
    const runIds = new Map<string, string>();
    const talking = new Set<string>();
    let allTalking!: () => void;
    const midRun = new Promise<void>((resolve) => (allTalking = resolve));
    const streams = ids.map((id) =>
      sse(`${c.url}${base(id)}/stream`, {
        // What is left of the run after "start" (1.2 s) fits in the 2 s disconnect grace the streams get.
        body: { message: '@say start\n@sleep 1200\n@say end' },
        headers: { 'x-api-key': fleet.adminKey },
        onEvent: (e) => {
          if (e.data.type === 'run_start') runIds.set(id, String(e.data.runId));
          // The model said "start" and now sleeps: the run is in the middle of its model call.
          if (e.data.type === 'text' && talking.add(id).size === ids.length) allTalking();
        },
      }),
    );
    await midRun;
    const exit = c.stop('SIGTERM');
    const results = await Promise.all(streams);
    for (const r of results) expect(types(r)).toContain('server_shutdown');
    expect(await exit).toBe(0);
    for (const id of ids) {
      const run = (await fleet.api('node-a', 'GET', `${base(id)}/runs/${runIds.get(id) ?? ''}`)).body;
      expect(run.status).toBe('succeeded');
      const resumed = await sse(
        `${fleet.node('node-a').url}${base(id)}/runs/${runIds.get(id) ?? ''}/events`,
        {
          method: 'GET',
          headers: { 'x-api-key': fleet.adminKey, 'last-event-id': '0' },
        },
      );
      expect(resumed.done).toBe(true);
      expect(types(resumed).slice(-2)).toEqual(['final', 'usage']);
    }
    fleet.nodes.delete('node-c');
  });

  it('takes over a conversation whose node died mid-run, and the resuming client gets a terminal error', async () => {
    const d = await fleet.start('node-d');
    const id = await conversation();
    let runId = '';
    await sse(`${d.url}${base(id)}/stream`, {
      body: { message: '@tool bash {"command":"sleep 120"}\n@say never' },
      headers: { 'x-api-key': fleet.adminKey },
      onEvent: (e) => {
        if (e.data.type === 'run_start') runId = String(e.data.runId);
        return e.data.type === 'tool_call';
      },
    });
    await d.stop('SIGKILL');
    fleet.nodes.delete('node-d');
    // The lock frees itself after its TTL (3 s here); until then the conversation is busy.
    let status = 0;
    const started = Date.now();
    while (Date.now() - started < 15_000) {
      status = (await fleet.api('node-b', 'POST', `${base(id)}/query`, { message: 'after the crash' }))
        .status;
      if (status === 200) break;
      expect(status).toBe(409);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(200);
    const old = (await fleet.api('node-b', 'GET', `${base(id)}/runs/${runId}`)).body;
    expect(old.status).toBe('interrupted');
    const resumed = await sse(`${fleet.node('node-b').url}${base(id)}/runs/${runId}/events`, {
      method: 'GET',
      headers: { 'x-api-key': fleet.adminKey, 'last-event-id': '0' },
    });
    expect(resumed.done).toBe(true);
    expect(resumed.events.find((e) => e.data.type === 'error')?.data.code).toBe('SANDBOX_LOST');
    // The dead node's container is still on this host; when node-d comes back it cleans up after itself.
    expect((await fleet.containers('node-d')).length).toBeGreaterThan(0);
    const back = await fleet.start('node-d');
    await expect.poll(async () => (await fleet.containers('node-d')).length, { timeout: 20_000 }).toBe(0);
    await back.stop('SIGTERM');
    fleet.nodes.delete('node-d');
  });
});
