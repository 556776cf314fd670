import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('forgets an entry once its TTL has passed', () => {
    let now = 1_000;
    const cache = new TtlCache<string, number>(10, () => now);
    cache.set('a', 1, 500);
    expect(cache.get('a')).toEqual({ value: 1 });
    now += 499;
    expect(cache.get('a')).toEqual({ value: 1 });
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays within maxEntries however many keys arrive, evicting the least recently used', () => {
    const cache = new TtlCache<string, number>(3, () => 0);
    cache.set('a', 1, 1_000);
    cache.set('b', 2, 1_000);
    cache.set('c', 3, 1_000);
    expect(cache.get('a')).toEqual({ value: 1 });
    cache.set('d', 4, 1_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ value: 1 });
    for (let i = 0; i < 10_000; i++) cache.set(`flood-${i}`, i, 1_000);
    expect(cache.size).toBe(3);
  });

  it('remembers undefined as a value (a negative entry), and nothing when the TTL is 0', () => {
    const cache = new TtlCache<string, number | undefined>(3, () => 0);
    cache.set('missing', undefined, 100);
    expect(cache.get('missing')).toEqual({ value: undefined });
    cache.set('off', 1, 0);
    expect(cache.get('off')).toBeUndefined();
  });
});
