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
});
