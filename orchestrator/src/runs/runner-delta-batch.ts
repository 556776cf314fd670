import type { ModelStreamChunk } from '@agentd/sandbox-runner/protocol';

type DeltaKind = 'text' | 'thinking';

/**
 * Joins the model's consecutive text (or thinking) deltas into one chunk for the runner. The runner only
 * collects them for its copy of the turn (clients get the model's events from agentd's own log), so it needs
 * the same characters in the same order, not one NDJSON line per token: a line per delta cost agentd a
 * serialization and an HTTP chunk each, and each of 50 runners a parse and a wake-up per delta.
 *
 * The owner flushes before anything else goes to the runner and whenever it yields the event loop; a timer
 * flushes what a slow model left behind, so the runner is never more than `maxDelayMs` behind.
 */
export class RunnerDeltaBatch {
  #kind: DeltaKind | undefined;
  #parts: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The last flush, which a later one waits for (so backpressure and order hold). */
  #sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (chunk: ModelStreamChunk) => Promise<void>,
    private readonly maxDelayMs: number,
  ) {}

  /** Adds a delta; a delta of the other kind first sends what is held. */
  async add(kind: DeltaKind, delta: string): Promise<void> {
    if (this.#kind !== kind && this.#parts.length > 0) await this.flush();
    this.#kind = kind;
    this.#parts.push(delta);
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.maxDelayMs);
  }

  /** Sends what is held as one chunk, after every earlier send; rejects when a send failed. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const kind = this.#kind;
    if (kind !== undefined && this.#parts.length > 0) {
      const delta = this.#parts.length === 1 ? (this.#parts[0] ?? '') : this.#parts.join('');
      this.#parts = [];
      this.#sending = this.#sending.then(() => this.send({ type: kind, delta }));
    }
    return this.#sending;
  }

  /** Drops what is held and stops the timer (the call ended). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#parts = [];
  }
}
