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

const DONE: Promise<void> = Promise.resolve();
const ignore = (): void => undefined;

/**
 * Emits one model call's events in the order the model produced them, joining consecutive `text` (or
 * `thinking`) deltas into one event: a model that streams a token at a time must not write an event log
 * entry per token. Emission is serial; `flush` resolves once everything received so far is emitted.
 */
export class ModelEventEmitter {
  #kind: 'text' | 'thinking' | undefined;
  #parts: string[] = [];
  #chars = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly emit: (event: ModelStreamEvent) => Promise<void>,
    private readonly coalescing: DeltaCoalescing,
  ) {}

  /**
   * Buffers one delta; waits for emission only when the buffer is full (backpressure from the event log). Not
   * `async`: with one event per delta this runs per token, and a wrapper promise per call was a measurable
   * share of the relay's allocations.
   */
  delta(kind: 'text' | 'thinking', delta: string): Promise<void> {
    if (delta === '') return DONE;
    if (this.#kind !== kind) this.#cut();
    this.#kind = kind;
    this.#parts.push(delta);
    this.#chars += delta.length;
    if (this.#chars >= this.coalescing.maxChars) {
      this.#cut();
      return this.#chain;
    }
    this.#timer ??= setTimeout(() => this.#cut(), this.coalescing.maxDelayMs);
    return DONE;
  }

  /** Emits an event after every delta before it. */
  event(event: ModelStreamEvent): Promise<void> {
    this.#cut();
    this.#enqueue(event);
    return this.#chain;
  }

  /** Emits what is buffered and waits for every emission so far. */
  flush(): Promise<void> {
    this.#cut();
    return this.#chain;
  }

  #cut(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const kind = this.#kind;
    if (kind === undefined || this.#parts.length === 0) return;
    const delta = this.#parts.length === 1 ? (this.#parts[0] ?? '') : this.#parts.join('');
    this.#parts = [];
    this.#chars = 0;
    this.#enqueue({ type: kind, delta });
  }

  #enqueue(event: ModelStreamEvent): void {
    const next = this.#chain.then(() => this.emit(event));
    // A failure surfaces at the next await of the chain; a timer's emission must not be an unhandled rejection.
    next.catch(ignore);
    this.#chain = next;
  }
}
