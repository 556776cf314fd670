import type { RelayedRunnerEvent } from './run-events.js';

/** The run events the gateway emits from the model's own stream (docs/architecture.md: events). */
export type ModelStreamEvent = Extract<
  RelayedRunnerEvent,
  { type: 'step_start' } | { type: 'text' } | { type: 'thinking' } | { type: 'tool_call' }
>;

export interface DeltaCoalescing {
  /** A run of deltas is emitted once it holds this many characters... */
  maxChars: number;
  /** ...or this long after its first delta, whichever comes first. */
  maxDelayMs: number;
}

/** No emission has failed (an emission may reject with anything, `undefined` included). */
const NO_FAILURE: unique symbol = Symbol('no failure');

/**
 * Emits one model call's events in the order the model produced them, joining consecutive `text` (or
 * `thinking`) deltas into one event: a model that streams a token at a time must not write an event log
 * entry per token. Emission is serial; `flush` resolves once everything received so far is emitted.
 *
 * With one event per delta (coalescing off) this runs per token, so it allocates little: one held delta
 * needs no array, and an emission that finds the previous one finished starts at once instead of being
 * chained after it.
 */
export class ModelEventEmitter {
  #kind: 'text' | 'thinking' | undefined;
  /** The held deltas: the first on its own, the rest (rarely any with coalescing off) in `#more`. */
  #first = '';
  #more: string[] = [];
  #chars = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Resolves once every emission so far has finished; never rejects (a failure goes to `#failure`). */
  #chain: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #failure: unknown = NO_FAILURE;
  readonly #emitted = (): void => {
    this.#inFlight -= 1;
  };
  readonly #failed = (err: unknown): void => {
    this.#inFlight -= 1;
    if (this.#failure === NO_FAILURE) this.#failure = err;
  };
  readonly #rethrow = (): void => {
    if (this.#failure !== NO_FAILURE) throw this.#failure;
  };

  constructor(
    /** Emits one event; returns nothing when it is done already (the embedded event log stores it at once). */
    private readonly emit: (event: ModelStreamEvent) => Promise<void> | undefined,
    private readonly coalescing: DeltaCoalescing,
  ) {}

  /**
   * Buffers one delta. Returns a promise only when the caller must wait (the buffer was full: backpressure
   * from the event log); a held delta returns nothing. A failed emission rejects the next call's promise.
   */
  delta(kind: 'text' | 'thinking', delta: string): Promise<void> | undefined {
    if (this.#failure !== NO_FAILURE) return this.#chain.then(this.#rethrow);
    if (delta === '') return undefined;
    if (this.#kind !== kind) this.#cut();
    this.#kind = kind;
    if (this.#chars === 0) this.#first = delta;
    else this.#more.push(delta);
    this.#chars += delta.length;
    if (this.#chars >= this.coalescing.maxChars) {
      this.#cut();
      // Nothing in flight: the delta is emitted already, nothing to wait for.
      return this.#inFlight === 0 ? undefined : this.#chain;
    }
    this.#timer ??= setTimeout(() => this.#cut(), this.coalescing.maxDelayMs);
    return undefined;
  }

  /** Emits an event after every delta before it; rejects if an emission so far failed. */
  event(event: ModelStreamEvent): Promise<void> {
    this.#cut();
    this.#enqueue(event);
    return this.#chain.then(this.#rethrow);
  }

  /** Emits what is buffered and waits for every emission so far; rejects if one of them failed. */
  flush(): Promise<void> {
    this.#cut();
    return this.#chain.then(this.#rethrow);
  }

  #cut(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const kind = this.#kind;
    if (kind === undefined || this.#chars === 0) return;
    const delta = this.#more.length === 0 ? this.#first : this.#first + this.#more.join('');
    this.#first = '';
    if (this.#more.length > 0) this.#more = [];
    this.#chars = 0;
    this.#enqueue({ type: kind, delta });
  }

  #enqueue(event: ModelStreamEvent): void {
    // After a failure nothing more is emitted: the event log would have a hole in the model's output.
    if (this.#failure !== NO_FAILURE) return;
    if (this.#inFlight === 0) {
      // Emitted at once: with an emission that is done on return, no promise is made at all.
      const emission = this.emit(event);
      if (emission === undefined) return;
      this.#inFlight = 1;
      this.#chain = emission.then(this.#emitted, this.#failed);
      return;
    }
    this.#inFlight += 1;
    this.#chain = this.#chain.then(() => this.#emitUnlessFailed(event)).then(this.#emitted, this.#failed);
  }

  /** One queued behind an emission that failed meanwhile is dropped, like everything after it. */
  #emitUnlessFailed(event: ModelStreamEvent): Promise<void> | undefined {
    return this.#failure === NO_FAILURE ? this.emit(event) : undefined;
  }
}
