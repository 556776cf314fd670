import { EventSource, type ErrorEvent, type FetchLike } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBreakingProxy } from '../support/breaking-proxy.js';
import { rawStream } from '../support/raw-stream.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const MiB = 1024 * 1024;
const RETRY_MS = 250;
/** EventSource's own reconnect delay when the server sends no `retry:`. */
const DEFAULT_RETRY_MS = 3_000;

/** The body of an HTTP/1.1 response as received (chunked transfer coding removed). */
function httpBody(response: string): string {
  let rest = response.slice(response.indexOf('\r\n\r\n') + 4);
  let out = '';
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = eol < 0 ? 0 : parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

interface Received {
  seq: number;
  lastEventId: string;
  data: { type: string; code?: string; seq?: number };
}

/**
 * The `eventsource` npm client (WHATWG EventSource) as a browser uses agentd: it resumes by its own reconnects
 * with Last-Event-ID, honours `retry:`, stops at the 204 after the end, and recovers from STREAM_LAGGED.
 */
describe('EventSource against agentd', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        AGENTD_SSE_RETRY: `${RETRY_MS}ms`,
        // For the paused reader: a 1 MiB log, and a runner allowed to outrun it.
        AGENTD_EVENT_LOG_MAX_BYTES: String(MiB),
        AGENTD_RUNNER_EVENTS_PER_SECOND: '1000000',
        AGENTD_RUNNER_EVENT_BURST: '1000000',
        AGENTD_DISCONNECT_GRACE: '60s',
      },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'eventsource' })).body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  const withKey: FetchLike = (url, init) =>
    fetch(url, { ...init, headers: { ...init.headers, 'x-api-key': d.adminKey } });

  const conversation = async (): Promise<string> =>
    (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;

  /** Starts a run and lets go of its stream at once (the disconnect grace keeps it going). */
  const startRun = async (conversationId: string, message: string): Promise<string> => {
    const controller = new AbortController();
    const res = await fetch(`${d.url ?? ''}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    controller.abort();
    return res.headers.get('x-run-id') ?? '';
  };

  /**
   * Follows an EventSource until the server makes it stop; every message it got and why it stopped. More
   * than `maxErrors` error events (each dropped connection is one) means it would go on reconnecting.
   */
  const follow = (url: string, maxErrors: number): Promise<{ messages: Received[]; stopped: ErrorEvent }> => {
    const source = new EventSource(url, { fetch: withKey });
    const messages: Received[] = [];
    source.addEventListener('message', (event) => {
      const data = JSON.parse(event.data) as Received['data'];
      messages.push({ seq: data.seq ?? -1, lastEventId: event.lastEventId, data });
    });
    let errors = 0;
    return new Promise((resolve, reject) => {
      source.addEventListener('error', (event) => {
        // A dropped connection is retried (CONNECTING); only a refusal (204, an error status) closes it.
        if (source.readyState === EventSource.CLOSED) resolve({ messages, stopped: event });
        else if (++errors >= maxErrors) {
          source.close();
          reject(
            new Error(`still reconnecting after ${errors} dropped connections (last: ${event.message})`),
          );
        }
      });
    });
  };

  it('resumes a run by its own reconnect with Last-Event-ID, honours retry:, and stops after the end', async () => {
    const conversationId = await conversation();
    const runId = await startRun(conversationId, '@say before the break\n@sleep 1500\n@say after the break');
    await using proxy = await startBreakingProxy(Number(new URL(d.url ?? '').port));
    let brokenAt = 0;
    // Cut the first connection as soon as the first text went through: the run is still asleep then.
    proxy.onResponseData = (connection) => {
      if (brokenAt === 0 && connection.response.includes('"type":"text"')) {
        brokenAt = Date.now();
        connection.break();
      }
    };
    // Two dropped connections (the break, the end of the stream), then the 204.
    const { messages, stopped } = await follow(
      `${proxy.url}/api/tenants/${tenantId}/conversations/${conversationId}/runs/${runId}/events`,
      3,
    );

    expect(brokenAt).toBeGreaterThan(0);
    expect(httpBody(proxy.connections[0]?.response ?? '')).toMatch(/^retry: 250\n\n/);
    // First request from 0, the reconnect after the break from the last id it saw, the last one after `: done`.
    expect(proxy.requests.length).toBe(3);
    const lastEventIds = proxy.requests.map((r) => /^last-event-id: (\d+)$/im.exec(r.head)?.[1]);
    const seqs = messages.map((m) => m.seq);
    const lastSeq = seqs.at(-1) ?? 0;
    expect(lastEventIds[0]).toBeUndefined();
    expect(Number(lastEventIds[1])).toBeGreaterThan(0);
    expect(Number(lastEventIds[1])).toBeLessThan(lastSeq);
    expect(Number(lastEventIds[2])).toBe(lastSeq);
    // Every event exactly once, in order, across the break.
    expect(seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(messages.map((m) => m.data.type)).toContain('final');
    expect(messages.at(-1)?.data.type).toBe('usage');
    // The reconnect waited for the server's retry:, not EventSource's 3 s default.
    const reconnectMs = (proxy.requests[1]?.at ?? 0) - brokenAt;
    expect(reconnectMs).toBeGreaterThanOrEqual(RETRY_MS - 20);
    expect(reconnectMs).toBeLessThan(DEFAULT_RETRY_MS);
    // The end: the resume after the last event is answered 204 and the client gives up for good.
    expect(stopped.code).toBe(204);
  });

  it('tells a paused reader STREAM_LAGGED with firstSeq, and a resume from firstSeq - 1 reaches the end', async () => {
    const conversationId = await conversation();
    // 8 turns of 1 MB each: more than loopback buffers plus the 1 MiB log.
    const word = 'x'.repeat(1000);
    const turn = `@repeat 1000 ${word}\n@tool bash {"command":"true"}`;
    const body = JSON.stringify({
      message: `${Array.from({ length: 8 }, () => turn).join('\n')}\n@say done`,
    });
    const socket = await rawStream({ url: d.url ?? '', tenantId, conversationId, key: d.adminKey, body });
    // Read the response head (for the run id), then stop reading while the run produces ~8 MB of events.
    let text = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.pause();
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    const runId = /^x-run-id: (\S+)$/im.exec(text)?.[1] ?? '';
    expect(runId).toMatch(/^run_/);
    const result = await d.runs.result(runId);
    expect(result?.outcome.kind).toBe('succeeded');
    const firstSeq = (await d.eventLog.read(runId, 0, 0))?.firstSeq ?? 0;
    // ~8 MB of events, text joined into up to 16 KiB each: hundreds fell out of the 1 MiB log.
    expect(firstSeq).toBeGreaterThan(300);

    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.resume();
    await new Promise((resolve) => socket.once('end', resolve));
    // One framing for every error: `id:` then `data:` with type error; no `event:` line.
    const stream = httpBody(text);
    expect(stream).not.toMatch(/^event:/m);
    const lagged = /\nid: (\d+)\ndata: (\{[^\n]*"code":"STREAM_LAGGED"[^\n]*\})\n\n$/.exec(stream);
    expect(lagged).not.toBeNull();
    expect(Number(lagged?.[1])).toBe(firstSeq - 1);
    expect(JSON.parse(lagged?.[2] ?? '{}')).toMatchObject({
      type: 'error',
      runId,
      code: 'STREAM_LAGGED',
      severity: 'warning',
      recoverable: true,
      firstSeq,
    });

    // What a browser does next: reconnect with Last-Event-ID = firstSeq - 1 (here given as the query).
    const { messages, stopped } = await follow(
      `${d.url ?? ''}/api/tenants/${tenantId}/conversations/${conversationId}/runs/${runId}/events?lastEventId=${firstSeq - 1}`,
      2,
    );
    expect(messages[0]?.seq).toBe(firstSeq);
    const seqs = messages.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => firstSeq + i));
    expect(messages.at(-1)?.data.type).toBe('usage');
    expect(stopped.code).toBe(204);
  });
});
