import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toLoggedEvent, type LoggedEvent } from '../runs/run-event-log.js';
import type { FeedItem } from '../runs/run-stream-service.js';
import { streamRunEvents } from './sse-stream.js';

/** Just what streamRunEvents uses of a response: it records each write. */
class RecordingResponse extends EventEmitter {
  readonly writes: string[] = [];
  writableEnded = false;
  destroyed = false;
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const text = (seq: number): LoggedEvent =>
  toLoggedEvent({
    type: 'text',
    delta: `d${seq}`,
    runId: 'run_1',
    seq,
    timestamp: '2026-01-01T00:00:00.000Z',
  });

describe('streamRunEvents', () => {
  it('writes a batch of events in one write, each framed with its id', async () => {
    const res = new RecordingResponse();
    async function* feed(): AsyncGenerator<FeedItem> {
      yield { kind: 'events', events: [text(1), text(2), text(3)] };
      yield { kind: 'done' };
    }
    const end = await streamRunEvents({
      res: res as unknown as ServerResponse,
      runId: 'run_1',
      feed: feed(),
      closed: new AbortController(),
      stop: new AbortController().signal,
      heartbeatMs: 60_000,
      retryMs: 1_000,
      afterSeq: 0,
    });
    expect(end).toBe('done');
    expect(res.writes).toEqual([
      'retry: 1000\n\n',
      [1, 2, 3]
        .map(
          (seq) =>
            `id: ${seq}\ndata: {"type":"text","delta":"d${seq}","runId":"run_1","seq":${seq},` +
            `"timestamp":"2026-01-01T00:00:00.000Z"}\n\n`,
        )
        .join(''),
      ': done\n\n',
    ]);
  });
});
