import type { ModelStreamChunk } from '@agentd/sandbox-runner/protocol';
import { relayTurns, type EventLoopTurns } from '../common/event-loop-turns.js';
import { TextBuilder } from '../common/text-builder.js';

type DeltaKind = 'text' | 'thinking';

/**
 * Joins the model's consecutive text (or thinking) deltas into one chunk for the runner. The runner only
 * collects them for its copy of the turn (clients get the model's events from agentd's own log), so it needs
 * the same characters in the same order, not one NDJSON line per token: a line per delta cost agentd a
 * serialization and an HTTP chunk each, and each of 50 runners a parse and a wake-up per delta. Even a chunk
 * per event-loop turn kept 50 runners busy: each wake-up of a runner whose streaming code runs too rarely to
 * be optimized costs it about 0.4 ms, so with 50 fast streams the runners took as much CPU as agentd.
 *
 * What is held goes out when `maxBytes` are held (the caller then waits for the runner: backpressure), before
 * anything else goes to the runner (the owner flushes), and after `maxDelayMs` at the latest, so a long turn
 * still shows the runner's connection alive.
 */
export class RunnerDeltaBatch {
  #kind: DeltaKind | undefined;
  readonly #held = new TextBuilder();
  #timer: NodeJS.Timeout | undefined;
  /** The last flush, which a later one waits for (so backpressure and order hold). */
  #sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (chunk: ModelStreamChunk) => Promise<void>,
    private readonly maxDelayMs: number,
    private readonly maxBytes: number,
    private readonly turns: EventLoopTurns = relayTurns,
  ) {}

  /**
   * Adds a delta; a delta of the other kind first sends what is held. Returns a promise only when the caller
   * must wait for the runner (a chunk went out): a model's every delta passes here, and a promise per delta
   * that is always already settled was garbage the relay paid for in collections.
   */
  add(kind: DeltaKind, delta: string): Promise<void> | undefined {
    const switched = this.#kind !== kind && !this.#held.empty ? this.flush() : undefined;
    this.#kind = kind;
    this.#held.add(delta);
    // UTF-16 units: a bound on memory and chunk size, not an exact byte count.
    if (this.#held.length >= this.maxBytes) return this.flush();
    this.#timer ??= setTimeout(() => void this.#flushInTurn(), this.maxDelayMs);
    return switched;
  }

  /** Sends what is held as one chunk, after every earlier send; rejects when a send failed. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const kind = this.#kind;
    if (kind !== undefined && !this.#held.empty) {
      const delta = this.#held.toString();
      this.#held.clear();
      this.#sending = this.#sending.then(() => this.send({ type: kind, delta }));
    }
    return this.#sending;
  }

  /**
   * A timer's flush takes a turn like the rest of the relay: streams started together reach their timers
   * together, and 50 runners' chunks written in one timers phase held the event loop for 23 ms.
   */
  async #flushInTurn(): Promise<void> {
    await this.turns.turn();
    await this.flush().catch(() => undefined);
  }

  /** Drops what is held and stops the timer (the call ended). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held.clear();
  }
}
