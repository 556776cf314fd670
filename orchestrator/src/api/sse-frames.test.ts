import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../runs/run-event-log.js';
import { sseEventFrames } from './sse-frames.js';

const jsons = ['{"type":"text","delta":"a"}', '{"type":"text","delta":"é 🦀 \\n"}', '{}'];
const expected = jsons.map((json, i) => `id: ${9_999_999 + i}\ndata: ${json}\n\n`).join('');

/** Events as a log that holds UTF-8 gives them: their JSON decoded only if asked for. */
function stored(): LoggedEvent[] {
  return jsons.map((json, i) => {
    const bytes = Buffer.from(json);
    return {
      seq: 9_999_999 + i,
      get json(): string {
        throw new Error('decoded');
      },
      utf8: { size: bytes.length, copy: (target: Buffer, offset: number) => void bytes.copy(target, offset) },
    };
  });
}

describe('sseEventFrames', () => {
  it('frames events the log holds as bytes as bytes, copied as they are', () => {
    const frames = sseEventFrames(stored());
    expect(Buffer.isBuffer(frames)).toBe(true);
    expect(frames.toString()).toBe(expected);
  });

  it('frames events held as strings as one string, and a batch with any such event the same way', () => {
    const plain = jsons.map((json, i) => ({ seq: 9_999_999 + i, json }));
    expect(sseEventFrames(plain)).toBe(expected);
    const mixed = [plain[0] as LoggedEvent, ...stored().slice(1)].map((e, i) =>
      i === 0 ? e : { seq: e.seq, json: jsons[i] as string, utf8: e.utf8 },
    );
    expect(sseEventFrames(mixed)).toBe(expected);
    expect(sseEventFrames([])).toEqual(Buffer.alloc(0));
  });

  it('writes every seq whole, at each count of digits', () => {
    const seqs = [1, 9, 10, 99, 100, 999_999_999_999_999, 2 ** 53 - 1];
    const bytes = Buffer.from('{}');
    const events = seqs.map((seq) => ({
      seq,
      json: '{}',
      utf8: { size: 2, copy: (target: Buffer, offset: number) => void bytes.copy(target, offset) },
    }));
    expect(sseEventFrames(events).toString()).toBe(seqs.map((seq) => `id: ${seq}\ndata: {}\n\n`).join(''));
  });
});
