import { describe, expect, it } from 'vitest';
import type { RunEventBody } from '../runs/run-events.js';
import { EventJson, RunKey, stampSuffix } from './event-json.js';

const BODIES: RunEventBody[] = [
  { type: 'text', delta: 'word ' },
  { type: 'text', delta: 'héllo 🦀 ✓' },
  // A lone surrogate (JSON.stringify escapes it), quotes, a backslash and control characters.
  { type: 'thinking', delta: `\ud800 "q" \\ \n\t\u0001` },
  {
    type: 'tool_call',
    id: 't1',
    toolUseId: 't1',
    name: 'bash',
    input: { command: 'ls -la', env: { A: 'ü' } },
  },
  { type: 'warning', code: 'MCP_ERROR', message: 'gone' },
];

/** The event as the log writes it, into a buffer exactly its size between two guard bytes. */
function written(body: RunEventBody, runId: string, seq: number, now: number): string {
  const event = new EventJson();
  const size = event.set(body, new RunKey(runId), seq, stampSuffix(now));
  expect(event.size).toBe(size);
  const target = Buffer.alloc(size + 2, 0xff);
  event.writeTo(target, 1);
  expect(target[0]).toBe(0xff);
  expect(target[size + 1]).toBe(0xff);
  return target.toString('utf8', 1, size + 1);
}

describe('EventJson', () => {
  it('writes JSON.stringify({ ...body, runId, seq, timestamp }) byte for byte, sized in UTF-8 bytes', () => {
    const now = Date.UTC(2026, 11, 7, 23, 10, 0, 123);
    for (const body of BODIES) {
      for (const seq of [1, 9, 10, 99, 100, 123_456, 9_007_199_254_740_991]) {
        for (const runId of ['0b6f1c8e-6c1e-4a53-9d1e-4c5b8e2f1a77', 'rün-"1"']) {
          const expected = JSON.stringify({ ...body, runId, seq, timestamp: new Date(now).toISOString() });
          expect(written(body, runId, seq, now)).toBe(expected);
        }
      }
    }
  });

  it('is reused from one event to the next without carrying anything over', () => {
    const event = new EventJson();
    const key = new RunKey('r');
    const stamp = stampSuffix(0);
    const long = Buffer.alloc(event.set({ type: 'text', delta: 'ü'.repeat(50) }, key, 12_345, stamp));
    event.writeTo(long, 0);
    const size = event.set({ type: 'text', delta: 'a' }, key, 1, stamp);
    const short = Buffer.alloc(size);
    event.writeTo(short, 0);
    expect(JSON.parse(short.toString('utf8'))).toEqual({
      type: 'text',
      delta: 'a',
      runId: 'r',
      seq: 1,
      timestamp: new Date(0).toISOString(),
    });
  });
});
