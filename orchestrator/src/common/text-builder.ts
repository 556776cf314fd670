/** Room for the first parts; the buffer doubles as it fills. */
const FIRST_CAPACITY = 512;
/** After `clear()`, a buffer larger than this is let go rather than kept for reuse. */
const KEPT_CAPACITY = 64 * 1024;

/**
 * Collects many short strings (a model's deltas) into one, in a buffer outside the JavaScript heap.
 *
 * A turn's text is held until the turn ends, and every delta held as a string outlived the young generation:
 * with 50 fast streams the scavenger copied and promoted each one, only for it to die at the turn's end. Each
 * part is copied into the buffer as UTF-16 code units, so any string comes back exactly (a surrogate pair
 * split across two deltas, or a lone surrogate, included); the part itself dies young.
 */
export class TextBuilder {
  #bytes: Buffer | undefined;
  #used = 0;
  #added = 0;

  /** UTF-16 code units added so far. */
  get length(): number {
    return this.#used / 2;
  }

  /** Nothing was added, not even an empty string (a block with empty text is still a block). */
  get empty(): boolean {
    return this.#added === 0;
  }

  add(text: string): void {
    this.#added += 1;
    const size = text.length * 2;
    if (size === 0) return;
    const capacity = this.#bytes?.length ?? 0;
    if (this.#used + size > capacity) {
      const grown = Buffer.allocUnsafeSlow(Math.max(FIRST_CAPACITY, capacity * 2, this.#used + size));
      this.#bytes?.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    (this.#bytes as Buffer).write(text, this.#used, 'utf16le');
    this.#used += size;
  }

  toString(): string {
    return this.#bytes === undefined ? '' : this.#bytes.toString('utf16le', 0, this.#used);
  }

  /** Forgets everything added (keeping a buffer of a usual size for what comes next). */
  clear(): void {
    if ((this.#bytes?.length ?? 0) > KEPT_CAPACITY) this.#bytes = undefined;
    this.#used = 0;
    this.#added = 0;
  }
}
