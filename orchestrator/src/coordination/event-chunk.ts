/** Most events in one chunk. */
export const CHUNK_EVENTS = 1024;
/**
 * A chunk takes no further event once it holds this many bytes (a larger event still gets a chunk of its own).
 * Below glibc's mmap threshold (128 KiB), so chunks come from the allocator's arenas, not each from fresh pages.
 */
export const CHUNK_BYTES = 64 * 1024;
/** A run's first chunk starts this small and doubles as it fills (most runs are short); later ones start full. */
const FIRST_BYTES = 1024;
const FIRST_SLOTS = 16;

/** An event's JSON as UTF-8: its size in bytes, and a way to write exactly those bytes at an offset. */
export interface EncodedEvent {
  readonly size: number;
  writeTo(target: Buffer, at: number): void;
}

/**
 * A run of consecutive events' JSON, stored as UTF-8 outside the JavaScript heap, one after another in one buffer.
 *
 * Why off the heap: a fast stream's events are read within a turn of being appended, yet the log keeps them for
 * minutes. Kept as strings they all outlived the young generation, so the scavenger copied every one of them
 * (twice: to the survivor space, then to the old generation) and the full collector marked them again. A buffer
 * is one object to the collector however many events it holds; what a reader decodes dies young.
 */
export class EventChunk {
  #bytes: Buffer;
  /** Where each event ends in `#bytes` (event `i` starts where `i - 1` ends). */
  #ends: Uint32Array;
  #count = 0;
  #used = 0;
  #sealed = false;

  /**
   * A run's first chunk is small and grows; a later one is allocated at its full size at once (growing it cost a
   * copy per doubling). `size` is the first event's, which may be larger than any chunk.
   */
  constructor(
    /** Seq of the chunk's first event. */
    readonly firstSeq: number,
    size: number,
    first: boolean,
  ) {
    this.#bytes = Buffer.allocUnsafeSlow(Math.max(first ? FIRST_BYTES : CHUNK_BYTES, size));
    this.#ends = new Uint32Array(first ? FIRST_SLOTS : CHUNK_EVENTS);
  }

  get count(): number {
    return this.#count;
  }

  /** Seq after the chunk's last event. */
  get endSeq(): number {
    return this.firstSeq + this.#count;
  }

  /** Whether an event of `size` bytes still belongs here rather than in a new chunk. */
  fits(size: number): boolean {
    if (this.#sealed || this.#count === CHUNK_EVENTS) return false;
    return this.#count === 0 || this.#used + size <= CHUNK_BYTES;
  }

  /** Appends an event's JSON, written by the event itself (the caller has checked `fits` with its size). */
  push(event: EncodedEvent): void {
    const { size } = event;
    if (this.#used + size > this.#bytes.length)
      this.#bytes = resized(this.#bytes, this.#used, Math.max(this.#bytes.length * 2, this.#used + size));
    if (this.#count === this.#ends.length) {
      const ends = new Uint32Array(this.#ends.length * 2);
      ends.set(this.#ends);
      this.#ends = ends;
    }
    event.writeTo(this.#bytes, this.#used);
    this.#used += size;
    this.#ends[this.#count++] = this.#used;
  }

  /** The JSON of the event with this seq (within the chunk). */
  json(seq: number): string {
    const i = seq - this.firstSeq;
    return this.#bytes.toString('utf8', i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }

  /** Copies the bytes of the event with this seq (within the chunk) into `target` at `offset`. */
  copy(seq: number, target: Buffer, offset: number): void {
    const i = seq - this.firstSeq;
    this.#bytes.copy(target, offset, i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }

  /** Size in bytes of the event with this seq (within the chunk). */
  size(seq: number): number {
    const i = seq - this.firstSeq;
    return (this.#ends[i] as number) - (i === 0 ? 0 : (this.#ends[i - 1] as number));
  }

  /** Takes no more events, and gives back the room it did not use (a run's last chunk, kept for its retention). */
  seal(): void {
    if (this.#sealed) return;
    this.#sealed = true;
    if (this.#used < this.#bytes.length) this.#bytes = resized(this.#bytes, this.#used, this.#used);
    if (this.#count < this.#ends.length) this.#ends = this.#ends.slice(0, this.#count);
  }
}

function resized(bytes: Buffer, used: number, capacity: number): Buffer {
  const next = Buffer.allocUnsafeSlow(capacity);
  bytes.copy(next, 0, 0, used);
  return next;
}
