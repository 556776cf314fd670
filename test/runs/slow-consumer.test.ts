import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawStream } from '../support/raw-stream.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const MiB = 1024 * 1024;

/**
 * Slow-client policy: agentd keeps no per-client queue. Events live in the run's bounded log and each client
 * has a cursor; agentd writes to a client only after it drained the last write. A client that falls behind
 * the log's retention gets an `error` event and is disconnected (it may resume with Last-Event-ID).
 */
describe('a client that does not read', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        AGENTD_EVENT_LOG_MAX_BYTES: String(MiB),
        AGENTD_RUNNER_EVENTS_PER_SECOND: '1000000',
        AGENTD_RUNNER_EVENT_BURST: '1000000',
        AGENTD_DISCONNECT_GRACE: '60s',
      },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'slow' })).body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('neither slows the run nor makes agentd buffer its output', async () => {
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    // 8 turns of 1 MB each: more than loopback buffers (about 4 MB for a reader that does not read) plus the log.
    const word = 'x'.repeat(1000);
    const turn = `@repeat 1000 ${word}\n@tool bash {"command":"true"}`;
    const body = JSON.stringify({
      message: `${Array.from({ length: 8 }, () => turn).join('\n')}\n@say done`,
    });
    const socket = await rawStream({ url: d.url ?? '', tenantId, conversationId, key: d.adminKey, body });
    // Never read while the run produces ~8 MB of events.
    socket.pause();

    const buffered = d.metrics.registry.getSingleMetric('agentd_sse_buffered_bytes');
    let maxBuffered = 0;
    let runStatus = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const value = (await buffered?.get())?.values[0]?.value ?? 0;
      maxBuffered = Math.max(maxBuffered, value);
      const runs = await d.store.runs.list(tenantId, conversationId, { limit: 1 });
      runStatus = runs.items[0]?.status ?? '';
      if (runStatus !== '' && runStatus !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(runStatus).toBe('succeeded');
    const runId = (await d.store.runs.list(tenantId, conversationId, { limit: 1 })).items[0]?.id ?? '';
    const produced = (await d.eventLog.read(runId, 0, 0))?.firstSeq ?? 0;
    // The log kept only its last MiB of ~8 MB: hundreds of events (text joined into up to 16 KiB) went before it.
    expect(produced).toBeGreaterThan(300);
    expect(maxBuffered).toBeLessThan(MiB);

    // When the client finally reads, it learns it fell behind, and the stream ends instead of hanging.
    socket.resume();
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('end', resolve));
    expect(text).toMatch(/fell \d+ events behind/);
  });
});
