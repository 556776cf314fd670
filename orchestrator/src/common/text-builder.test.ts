import { describe, expect, it } from 'vitest';
import { TextBuilder } from './text-builder.js';

describe('TextBuilder', () => {
  it('gives back every part in order, across the joins, and counts code units', () => {
    const parts = Array.from({ length: 1_000 }, (_, i) => `${i} é😀 `);
    const builder = new TextBuilder();
    for (const part of parts) builder.add(part);
    expect(builder.toString()).toBe(parts.join(''));
    expect(builder.length).toBe(parts.join('').length);
  });

  it('is empty at first and after clear(); an empty part still counts as added', () => {
    const builder = new TextBuilder();
    expect([builder.toString(), builder.empty]).toEqual(['', true]);
    builder.add('');
    expect([builder.toString(), builder.length, builder.empty]).toEqual(['', 0, false]);
    builder.add('a');
    expect(builder.toString()).toBe('a');
    for (let i = 0; i < 300; i++) builder.add('b');
    builder.clear();
    expect([builder.toString(), builder.length, builder.empty]).toEqual(['', 0, true]);
    builder.add('c');
    expect(builder.toString()).toBe('c');
  });

  it('gives back a surrogate pair split across parts, and a lone surrogate, exactly', () => {
    const pair = '😀';
    const parts = ['a', pair[0] as string, pair[1] as string, 'b\uD800', '\uDC00', '\uDFFF c'];
    const builder = new TextBuilder();
    for (const part of parts) builder.add(part);
    expect(builder.toString()).toBe(parts.join(''));
    expect(builder.toString()).toContain(pair);
    expect(builder.length).toBe(parts.join('').length);
  });

  it('holds what it collects in a buffer off the JavaScript heap', () => {
    const builder = new TextBuilder();
    const before = process.memoryUsage().arrayBuffers;
    const part = 'x'.repeat(100);
    for (let i = 0; i < 100_000; i++) builder.add(part);
    // 10 M code units, 2 bytes each (buffers are freed only when collected, so only growth is certain).
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThan(20_000_000);
    expect(builder.length).toBe(10_000_000);
    builder.clear();
    builder.add('y');
    expect(builder.toString()).toBe('y');
  });
});
