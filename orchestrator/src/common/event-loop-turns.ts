/** Calls of `due` per clock read: a slice may overrun by this many items (each a few µs) in all. */
const CLOCK_EVERY = 8;

/**
 * Cooperative turns for hot loops that would otherwise run as one long chain of microtasks: an unpaced model
 * stream resolves every await at once, so without a yield one fast stream holds the event loop until its socket
 * backs up, and every timer, request and other stream waits.
 *
 * A loop asks `due(n)` after each item and, when told, awaits `yieldTurn()`. A loop is due after `perTurn`
 * items (a quantum) or once the event loop has been busy `sliceMs` in this slice. Yielding loops wait in one
 * queue, served round robin: while the slice lasts the next one runs at once (in the same microtask drain,
 * so it gets a whole quantum, and its events leave in one write), and once the slice is spent the rest wait
 * for the next turn of the event loop, after timers and I/O. Work resumed from outside the queue (a reader
 * woken by an append, a timer) asks `turn()` first: with 50 unpaced streams, readers woken together that
 * each wrote a batch before asking held one check phase for 20-28 ms.
 */
export class EventLoopTurns {
  /** performance.now() when the current slice of busy time began; -1 between slices. */
  #sliceStart = -1;
  readonly #queue: (() => void)[] = [];
  #scheduled = false;
  /** `due` calls so far: the clock is read on every `CLOCK_EVERY`th only. */
  #calls = 0;
  /**
   * A clock read found this slice spent. Every caller is then due at once: with the clock read per caller,
   * 50 interleaved streams would each run up to `CLOCK_EVERY` more items before noticing.
   */
  #spent = false;

  constructor(
    private readonly sliceMs: number,
    private readonly perTurn: number,
  ) {}

  /**
   * True when the caller, having handled `handled` items since its last yield, should yield now. The slice's
   * time is checked every few calls: a clock read per model delta was 3% of a busy relay’s thread.
   */
  due(handled: number): boolean {
    if (handled >= this.perTurn || this.#spent) return true;
    this.#calls = (this.#calls + 1) % CLOCK_EVERY;
    return this.#calls === 0 && this.#sliceSpent();
  }

  /**
   * For work that did not come through the queue (a wake-up, a timer): nothing while the slice has time left
   * (the slice begins if none has), else a promise of the caller's turn.
   */
  turn(): Promise<void> | undefined {
    return this.#spent || this.#sliceSpent() ? this.yieldTurn() : undefined;
  }

  /** Waits for this caller's next turn. */
  yieldTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.#queue.push(resolve);
      if (!this.#sliceSpent()) this.#queue.shift()?.();
      // Whoever runs next may end or wait on I/O without yielding again: the loop's next turn serves the queue.
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  #sliceSpent(): boolean {
    const now = performance.now();
    if (this.#sliceStart < 0) {
      this.#sliceStart = now;
      // The slice ends when the loop reaches its check phase: everything queued before then shares it.
      setImmediate(() => this.#endSlice());
      return false;
    }
    this.#spent = now - this.#sliceStart >= this.sliceMs;
    return this.#spent;
  }

  #endSlice(): void {
    this.#sliceStart = -1;
    this.#spent = false;
  }

  /** Serves the queue on the next turn of the event loop, in a fresh slice (and on later turns, until empty). */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#endSlice();
      this.#queue.shift()?.();
      if (this.#queue.length > 0) this.#schedule();
    });
  }
}

/**
 * Items one stream relays per turn, and so the most one write to its client carries: 256 text deltas are
 * about 33 KB of SSE, a fraction of a ms to relay. At 64 (8 KB writes) 50 unpaced streams made 3.4 times
 * the socket writes for the same events, and their aggregate fell below one stream's.
 */
export const RELAY_QUANTUM = 256;

/**
 * The process's one event loop, shared by every stream: about 2 ms of relaying before timers and I/O get their
 * turn (a fraction of a paced model's delta spacing), a quantum per stream at a time.
 */
export const relayTurns = new EventLoopTurns(2, RELAY_QUANTUM);
