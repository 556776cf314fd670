/** Parts held before they are joined into one string. */
const JOIN_EVERY = 256;

/**
 * Collects many short strings (a model's deltas) into one. Every `JOIN_EVERY` parts are joined, so a long turn
 * holds a few long strings, not an array slot and a string per delta. Such arrays grow by reallocation, and
 * 50 fast streams growing theirs in step (their deltas arrive at the same pace) reallocated megabytes of
 * live arrays at once, which the young-generation collector then copied in one pause.
 */
export class TextBuilder {
  readonly #joined: string[] = [];
  readonly #parts: string[] = [];
  #length = 0;
  #added = 0;

  /** UTF-16 code units added so far. */
  get length(): number {
    return this.#length;
  }

  /** Nothing was added, not even an empty string (a block with empty text is still a block). */
  get empty(): boolean {
    return this.#added === 0;
  }

  add(text: string): void {
    this.#added += 1;
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#parts.length >= JOIN_EVERY) {
      this.#joined.push(this.#parts.join(''));
      // Keeps the array's capacity: it fills to the same size again.
      this.#parts.length = 0;
    }
  }

  toString(): string {
    if (this.#joined.length === 0)
      return this.#parts.length === 1 ? (this.#parts[0] ?? '') : this.#parts.join('');
    return this.#joined.join('') + this.#parts.join('');
  }

  /** Forgets everything added. */
  clear(): void {
    this.#joined.length = 0;
    this.#parts.length = 0;
    this.#length = 0;
    this.#added = 0;
  }
}
