/**
 * A bounded map whose entries expire: the least recently used entry goes first once `maxEntries` is reached,
 * so keys chosen by callers (presented API keys, page cursors) cannot grow memory without bound.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value, or undefined when absent or expired; a hit becomes the most recently used entry. */
  get(key: K): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  set(key: K, value: V, ttlMs: number): void {
    if (ttlMs <= 0 || this.maxEntries <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      // A Map iterates in insertion order and every hit re-inserts: the first key is the least recently used.
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}
