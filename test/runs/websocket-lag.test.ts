import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';

const MAX_EVENTS = 200;

/**
 * WebSocket backpressure goes through the same bounded-log cursor as SSE: a reader that stops reading costs
 * agentd nothing beyond the log's bound, and when it reads again it learns what it lost and resumes.
 */
describe('a WebSocket reader that stops reading', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        AGENTD_EVENT_LOG_MAX_EVENTS: String(MAX_EVENTS),
        // One event per model delta, so the run makes far more events than the log keeps.
        AGENTD_MODEL_DELTA_WINDOW: '0',
        AGENTD_DISCONNECT_GRACE: '60s',
      },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'ws-lag' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('gets STREAM_LAGGED with firstSeq, and a resume from firstSeq - 1 reaches the end', async () => {
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const ws = await WsTestClient.open(
      wsUrl(d.url ?? '', `/api/tenants/${tenantId}/conversations/${conversationId}/ws`),
      { headers: { 'x-api-key': d.adminKey } },
    );
    // ws keeps no public handle on its TCP socket; pausing that is what a stalled browser tab amounts to.
    const tcp = (ws.socket as unknown as { _socket: net.Socket })._socket;
    // 8 turns of 1 MB each: more than loopback buffers (about 4 MB for a reader that does not read) plus the log.
    const word = 'x'.repeat(1000);
    const turn = `@repeat 1000 ${word}\n@tool bash {"command":"true"}`;
    ws.send({ type: 'chat', content: `${Array.from({ length: 8 }, () => turn).join('\n')}\n@say done` });
    const start = await ws.next((m) => m.type === 'run_start');
    tcp.pause();
    const runId = String(start.runId);
    expect((await d.runs.result(runId))?.outcome.kind).toBe('succeeded');
    const firstSeq = (await d.eventLog.read(runId, 0, 0))?.firstSeq ?? 0;
    expect(firstSeq).toBeGreaterThan(8_000 - MAX_EVENTS);

    tcp.resume();
    const lagged = await ws.next((m) => m.type === 'error');
    expect(lagged).toMatchObject({ runId, code: 'STREAM_LAGGED', severity: 'warning', recoverable: true });
    const received = ws.messages.filter((m) => m.runId === runId && m.seq !== undefined);
    const lastSeen = Number(received.at(-1)?.seq);
    // agentd lags the reader when its cursor falls out of the log, which happens while the reader is paused
    // but not necessarily at the run's end (the model writes faster than the kernel's buffers fill): the
    // error names the oldest event retained at that moment, past what the reader got.
    const laggedFirst = Number(lagged.firstSeq);
    expect(laggedFirst).toBeGreaterThan(lastSeen + 1);
    expect(laggedFirst).toBeLessThanOrEqual(firstSeq);
    expect(lagged.missed).toBe(laggedFirst - lastSeen - 1);
    // Nothing was skipped silently: what arrived before the error is gap-free from 1.
    expect(received.map((m) => m.seq)).toEqual(received.map((_, i) => i + 1));

    // The connection stays open: resume on it from just before the oldest retained event.
    ws.send({ type: 'resume', runId, lastEventId: firstSeq - 1 });
    const rest = await ws.untilEnd(runId);
    const seqs = rest.filter((m) => m.seq !== undefined).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => firstSeq + i));
    expect(rest.at(-2)?.type).toBe('usage');
    expect(rest.at(-1)).toMatchObject({ type: 'end', runId, status: 'succeeded' });
    await ws.close();
  });
});
