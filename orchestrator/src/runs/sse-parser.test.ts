import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

const b = (s: string) => Buffer.from(s);

describe('SseParser', () => {
  it('returns the data of complete events across arbitrary chunk boundaries', () => {
    const p = new SseParser(1024);
    const text =
      'data: {"a":1}\n\n: comment\ndata: line1\r\ndata: line2\r\n\r\nid: 3\nevent: x\ndata: {"ü":"✓"}\n\n';
    const out: string[] = [];
    const bytes = b(text);
    for (let i = 0; i < bytes.length; i += 3) out.push(...p.push(bytes.subarray(i, i + 3)));
    out.push(...p.end());
    expect(out).toEqual(['{"a":1}', 'line1\nline2', '{"ü":"✓"}']);
  });

  it('rejects an event over the size limit, whether in one line or many, or with no newline at all', () => {
    expect(() => new SseParser(16).push(b(`data: ${'x'.repeat(20)}\n`))).toThrow(/exceeds 16 bytes/);
    const many = new SseParser(16);
    expect(() => many.push(b('data: 123456\ndata: 123456\ndata: 1\n'))).toThrow(/exceeds/);
    expect(() => new SseParser(16).push(b('x'.repeat(17)))).toThrow(/exceeds/);
  });

  it('rejects garbage fields and a stream cut in the middle of an event', () => {
    expect(() => new SseParser(64).push(b('garbage\n'))).toThrow(/unknown event stream field/);
    const p = new SseParser(64);
    p.push(b('data: {"a":1}\n'));
    expect(() => p.end()).toThrow(/middle of an event/);
    const q = new SseParser(64);
    q.push(b('data: {"a"'));
    expect(() => q.end()).toThrow(/middle of a line/);
  });
});
