import type { Clock } from '../common/clock.js';
import type { RunEvent, RunEventBody } from '../runs/run-events.js';
import type { EventBatch, LoggedEvent, RunEventLog } from '../runs/run-event-log.js';

interface LogEntry {
  /**
   * Each event's JSON as appended, serialized once (its length is also its size, and it is what every SSE
   * reader sends). Only the string is kept: an event's seq is its place (`baseSeq + index`), and event `i` is
   * `chunks[i >> CHUNK_BITS][i & CHUNK_MASK]`. A wrapper object per event was a sixth of what a fast stream
   * left for the garbage collector to copy and promote; readers get a short-lived one per event they read.
   *
   * Fixed-size chunks, not one growing array: a growing array is reallocated and copied, and 50 fast streams,
   * whose events arrive at the same pace, reallocated theirs in step (megabytes of live arrays at once, copied
   * again by the young-generation collector). Dropping the oldest events frees whole chunks, with no
   * compaction and no O(n) `shift()`.
   */
  chunks: (string | undefined)[][];
  /** Seq of the event at index 0 (of the first chunk). */
  baseSeq: number;
  /** Index of the oldest retained event (in the first chunk): the ones before it were dropped (and cleared). */
  head: number;
  /** Events stored from index 0 on, dropped ones included: the last seq is `baseSeq + count - 1`. */
  count: number;
  bytes: number;
  done: boolean;
  completedAt: number;
  waiters: Set<() => void>;
  /** A wake is scheduled for the next turn of the event loop. */
  waking: boolean;
}

export interface LocalRunEventLogOptions {
  /** Per run: beyond these the oldest events are dropped (slow readers then learn they fell behind). */
  maxEventsPerRun: number;
  maxBytesPerRun: number;
  /** How long a finished run stays readable. */
  retentionMs: number;
  /**
   * Across runs, in JSON characters: beyond it, finished runs are forgotten oldest first, before their retention
   * window ends (a resume of one is then told it expired). Running runs are never dropped: each is bounded by
   * the per-run limits, and their number by the node's capacity.
   */
  maxTotalBytes: number;
  clock: Clock;
}

/** What every append returns: storing in memory is done before it returns, and one promise serves them all. */
const APPENDED = Promise.resolve();

/** Events per chunk of a run's log (a power of two). */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** The embedded single-node event log: in memory, bounded per run, expired after the retention window. */
export class LocalRunEventLog implements RunEventLog {
  readonly #runs = new Map<string, LogEntry>();
  /** Finished runs, in the order they finished (the order they are forgotten in). */
  readonly #finished = new Map<string, LogEntry>();
  #totalBytes = 0;

  constructor(private readonly options: LocalRunEventLogOptions) {}

  append(runId: string, body: RunEventBody): Promise<void> {
    const now = this.options.clock.now();
    this.#expire(now);
    let entry = this.#runs.get(runId);
    if (!entry) {
      entry = {
        chunks: [],
        baseSeq: 1,
        head: 0,
        count: 0,
        bytes: 0,
        done: false,
        completedAt: 0,
        waiters: new Set(),
        waking: false,
      };
      this.#runs.set(runId, entry);
    }
    const event: RunEvent = {
      ...body,
      runId,
      seq: entry.baseSeq + entry.count,
      timestamp: this.#timestamp(now),
    };
    const json = JSON.stringify(event);
    // A chunk grows as it fills (a short run keeps a short one), up to 8 KiB of slots.
    if ((entry.count++ & CHUNK_MASK) === 0) entry.chunks.push([json]);
    else (entry.chunks.at(-1) as (string | undefined)[]).push(json);
    entry.bytes += json.length;
    this.#totalBytes += json.length;
    while (
      entry.count - entry.head > this.options.maxEventsPerRun ||
      (entry.bytes > this.options.maxBytesPerRun && entry.count - entry.head > 1)
    ) {
      const oldest = entry.chunks[0] as (string | undefined)[];
      const dropped = oldest[entry.head]?.length ?? 0;
      entry.bytes -= dropped;
      this.#totalBytes -= dropped;
      oldest[entry.head] = undefined;
      entry.head += 1;
      if (entry.head === CHUNK) {
        entry.chunks.shift();
        entry.baseSeq += CHUNK;
        entry.count -= CHUNK;
        entry.head = 0;
      }
    }
    if (this.#totalBytes > this.options.maxTotalBytes) this.#forgetOldestFinished();
    this.#wake(entry);
    return APPENDED;
  }

  complete(runId: string): Promise<void> {
    const entry = this.#runs.get(runId);
    if (entry && !entry.done) {
      entry.done = true;
      entry.completedAt = this.options.clock.now();
      this.#finished.set(runId, entry);
      // A run that ends over the budget goes now, not at the next append (a quiet node may see none).
      if (this.#totalBytes > this.options.maxTotalBytes) this.#forgetOldestFinished();
      this.#wake(entry);
    }
    return Promise.resolve();
  }

  read(runId: string, afterSeq: number, limit: number): Promise<EventBatch | undefined> {
    this.#expire(this.options.clock.now());
    const entry = this.#runs.get(runId);
    if (!entry) return Promise.resolve(undefined);
    const firstSeq = entry.baseSeq + entry.head;
    const start = entry.head + Math.max(0, afterSeq + 1 - firstSeq);
    const end = Math.min(entry.count, start + limit);
    const events: LoggedEvent[] = [];
    // Every index from head on holds an event.
    for (let i = start; i < end; i++) {
      const json = (entry.chunks[i >> CHUNK_BITS] as (string | undefined)[])[i & CHUNK_MASK] as string;
      events.push({ seq: entry.baseSeq + i, json });
    }
    const lastSeq = entry.baseSeq + entry.count - 1;
    const reachedEnd = (events.at(-1)?.seq ?? afterSeq) >= lastSeq;
    return Promise.resolve({ events, done: entry.done && reachedEnd, firstSeq });
  }

  waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    const entry = this.#runs.get(runId);
    if (!entry || entry.done || entry.baseSeq + entry.count - 1 > afterSeq || signal.aborted)
      return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        entry.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      entry.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /**
   * Wakes readers on the next turn of the event loop rather than at once: events a fast writer appends in the
   * meantime reach each reader as one batch (one socket write) instead of one wake and write per event.
   */
  #wake(entry: LogEntry): void {
    if (entry.waking || entry.waiters.size === 0) return;
    entry.waking = true;
    setImmediate(() => {
      entry.waking = false;
      for (const waiter of [...entry.waiters]) waiter();
    });
  }

  #stampMs = Number.NaN;
  #stamp = '';

  /** The ISO time of `now`, one string per millisecond (events of the same millisecond share it). */
  #timestamp(now: number): string {
    if (now !== this.#stampMs) {
      this.#stampMs = now;
      this.#stamp = new Date(now).toISOString();
    }
    return this.#stamp;
  }

  #lastExpiry = 0;

  /** At most once a second: expiry scans every finished run, and append is a hot path. */
  #expire(now: number): void {
    if (now - this.#lastExpiry < 1_000) return;
    this.#lastExpiry = now;
    for (const [runId, entry] of this.#finished) {
      if (now - entry.completedAt > this.options.retentionMs) this.#forget(runId, entry);
    }
  }

  /** Over the node-wide budget: finished runs go, oldest first, until the log fits (or only running ones are left). */
  #forgetOldestFinished(): void {
    for (const [runId, entry] of this.#finished) {
      if (this.#totalBytes <= this.options.maxTotalBytes) return;
      this.#forget(runId, entry);
    }
  }

  #forget(runId: string, entry: LogEntry): void {
    this.#runs.delete(runId);
    this.#finished.delete(runId);
    this.#totalBytes -= entry.bytes;
  }
}
