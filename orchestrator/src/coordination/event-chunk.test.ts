import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNK_EVENTS, EventChunk } from './event-chunk.js';

function push(chunk: EventChunk, json: string): void {
  chunk.push({ size: Buffer.byteLength(json), writeTo: (target, at) => void target.write(json, at, 'utf8') });
}

describe('EventChunk', () => {
  it('gives back each event exactly as pushed, multi-byte characters included, sized in UTF-8 bytes', () => {
    const events = ['{"a":1}', '{"t":"héllo"}', '{"t":"🦀 and ✓"}', '{}', `{"t":"${'x'.repeat(5_000)}"}`];
    const chunk = new EventChunk(41, 0, true);
    for (const json of events) {
      expect(chunk.fits(Buffer.byteLength(json))).toBe(true);
      push(chunk, json);
    }
    expect(chunk.count).toBe(5);
    expect(chunk.endSeq).toBe(46);
    expect(events.map((_, i) => chunk.json(41 + i))).toEqual(events);
    expect(chunk.size(42)).toBe(14);
    expect(chunk.size(43)).toBe(Buffer.byteLength(events[2] as string));
    chunk.seal();
    expect(events.map((_, i) => chunk.json(41 + i))).toEqual(events);
    expect(chunk.fits(1)).toBe(false);
  });

  it('takes no event past its count or byte limit, except a large event as its first', () => {
    const byCount = new EventChunk(1, 0, true);
    for (let i = 0; i < CHUNK_EVENTS; i++) push(byCount, `{"i":${i}}`);
    expect(byCount.fits(1)).toBe(false);
    expect(byCount.json(CHUNK_EVENTS)).toBe(`{"i":${CHUNK_EVENTS - 1}}`);

    const half = `"${'y'.repeat(CHUNK_BYTES / 2)}"`;
    const byBytes = new EventChunk(1, 0, false);
    push(byBytes, half);
    expect(byBytes.fits(Buffer.byteLength(half))).toBe(false);
    expect(byBytes.fits(100)).toBe(true);

    const large = `"${'z'.repeat(CHUNK_BYTES * 2)}"`;
    const alone = new EventChunk(7, Buffer.byteLength(large), false);
    expect(alone.fits(Buffer.byteLength(large))).toBe(true);
    push(alone, large);
    expect(alone.json(7)).toBe(large);
    expect(alone.fits(1)).toBe(false);
  });
});
