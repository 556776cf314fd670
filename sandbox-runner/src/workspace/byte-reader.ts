/** Pulls exact byte counts from a chunked source without copying more than it must. */
export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #pending: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes, or undefined when the source ended first (with what was left in `leftover`). */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.#pending.length < n) {
      if (!(await this.#pull())) return undefined;
    }
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /** Yields the next `n` bytes as they arrive; throws when the source ends first. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#pending.length === 0 && !(await this.#pull())) throw new Error('truncated stream');
      const take = this.#pending.subarray(0, left);
      this.#pending = this.#pending.subarray(take.length);
      left -= take.length;
      yield take;
    }
  }

  /** Drops the next `n` bytes; throws when the source ends first. */
  async skip(n: number): Promise<void> {
    for await (const chunk of this.stream(n)) if (chunk.length === 0) break;
  }

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    this.#pending = this.#pending.length === 0 ? next.value : Buffer.concat([this.#pending, next.value]);
    return true;
  }
}
