import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import type { Notifier } from './notifier.js';
import { SharedCache } from './shared-cache.js';

/** Every node's subscribers in one process, as Redis pub/sub would deliver them. */
class LocalNotifier implements Notifier {
  readonly #listeners: ((message: string) => void)[] = [];
  subscribe(_channel: string, listener: (message: string) => void): Promise<() => void> {
    this.#listeners.push(listener);
    return Promise.resolve(() => undefined);
  }
  publish(_channel: string, message: string): void {
    for (const listener of this.#listeners) listener(message);
  }
}

function cacheOn(notifier: LocalNotifier, now: () => number, maxEntries = 100): SharedCache<string> {
  return new SharedCache<string>({
    channel: 'cache:test',
    notifier,
    ttlMs: 10_000,
    negativeTtlMs: 1_000,
    maxEntries,
    now,
    logger: silentLogger(),
  });
}

describe('SharedCache', () => {
  it('serves a found value without loading again until another node invalidates', async () => {
    const notifier = new LocalNotifier();
    const a = cacheOn(notifier, () => 0);
    const b = cacheOn(notifier, () => 0);
    let loads = 0;
    const load = () => Promise.resolve(`v${++loads}`);
    expect(await b.get('k', load)).toBe('v1');
    expect(await b.get('k', load)).toBe('v1');
    a.invalidate();
    expect(await b.get('k', load)).toBe('v2');
  });

  it('remembers "not found" only for the negative TTL', async () => {
    let now = 0;
    const cache = cacheOn(new LocalNotifier(), () => now);
    const stored = new Map<string, string>();
    const load = () => Promise.resolve(stored.get('new'));
    expect(await cache.get('new', load)).toBeUndefined();
    stored.set('new', 'created');
    expect(await cache.get('new', load)).toBeUndefined();
    now += 1_000;
    expect(await cache.get('new', load)).toBe('created');
  });

  it('does not store a load that an invalidation overtook', async () => {
    const notifier = new LocalNotifier();
    const cache = cacheOn(notifier, () => 0);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const stale = cache.get('key', async () => {
      await slow;
      return 'before revocation';
    });
    cache.invalidate();
    release();
    expect(await stale).toBe('before revocation');
    expect(await cache.get('key', () => Promise.resolve('after revocation'))).toBe('after revocation');
  });

  it('keeps a flood of unknown keys within maxEntries', async () => {
    const cache = cacheOn(new LocalNotifier(), () => 0, 50);
    for (let i = 0; i < 5_000; i++) await cache.get(`random-${i}`, () => Promise.resolve(undefined));
    expect(cache.size).toBe(50);
  });
});
