import { describe, expect, it } from 'vitest';
import { Http } from './http.js';
import { RunStream } from './run-stream.js';

const event = (seq: number, type: string, extra: Record<string, unknown> = {}): string =>
  `id: ${seq}\ndata: ${JSON.stringify({ type, runId: 'r1', seq, timestamp: 't', ...extra })}\n\n`;

/** A body that sends `chunks` then either ends cleanly or fails like a cut connection. */
function body(chunks: string[], cut: boolean): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const queue = chunks.map((chunk) => encoder.encode(chunk));
  // One chunk per read, so a cut comes after what was sent (erroring a stream drops what is queued).
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else if (cut) controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
}

function stream(answers: (() => Response)[]) {
  const calls: { url: string; headers: Headers }[] = [];
  const http = new Http({
    baseUrl: 'http://agentd.test',
    credentials: { apiKey: 'k' },
    retry: { retries: 0 },
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, headers: new Headers(init.headers) });
      const next = answers.shift();
      if (!next) throw new TypeError('no more answers');
      return next();
    }) as typeof fetch,
  });
  const run = new RunStream(
    http,
    { tenantId: 't', conversationId: 'c' },
    () => http.fetch('http://agentd.test/start', { method: 'POST' }),
    { maxResumes: 2 },
  );
  return { run, calls };
}

const sse =
  (chunks: string[], cut: boolean, headers: Record<string, string> = {}) =>
  () =>
    new Response(body(chunks, cut), { headers: { 'content-type': 'text/event-stream', ...headers } });

describe('RunStream', () => {
  it('resumes after a cut with Last-Event-ID, yields every event once and ends at `: done`', async () => {
    const { run, calls } = stream([
      sse([event(1, 'run_start'), event(2, 'text', { delta: 'a' }), 'id: 3\ndata: {"ty'], true, {
        'x-run-id': 'r1',
      }),
      // The replay starts one event early here: the stream drops what it already has.
      sse(
        [
          event(2, 'text', { delta: 'a' }),
          event(3, 'final', { content: 'a' }),
          event(4, 'usage'),
          ': done\n\n',
        ],
        false,
      ),
    ]);
    const seen = [];
    for await (const e of run) seen.push(`${String(e.seq)} ${e.type}`);
    expect(seen).toEqual(['1 run_start', '2 text', '3 final', '4 usage']);
    expect(run.resumes).toBe(1);
    expect(run.final?.content).toBe('a');
    expect(calls[1]?.url).toBe('http://agentd.test/api/tenants/t/conversations/c/runs/r1/events');
    expect(calls[1]?.headers.get('last-event-id')).toBe('2');
  });

  it('ends when a resume answers 204 (the run had already ended)', async () => {
    const { run } = stream([
      sse([event(1, 'run_start'), event(2, 'usage')], true, { 'x-run-id': 'r1' }),
      () => new Response(null, { status: 204 }),
    ]);
    const seen = [];
    for await (const e of run) seen.push(e.type);
    expect(seen).toEqual(['run_start', 'usage']);
  });

  it('gives up after maxResumes drops in a row that bring nothing new', async () => {
    const { run, calls } = stream([
      sse([event(1, 'run_start')], true, { 'x-run-id': 'r1' }),
      sse([], true),
      sse([], true),
      sse([], true),
    ]);
    await expect(
      (async () => {
        for await (const e of run) expect(e.type).toBeTypeOf('string');
      })(),
    ).rejects.toMatchObject({ code: 'STREAM_INTERRUPTED' });
    expect(calls).toHaveLength(4);
  });
});
