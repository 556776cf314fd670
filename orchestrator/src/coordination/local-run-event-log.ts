import type { Clock } from '../common/clock.js';
import type { RunEvent, RunEventBody } from '../runs/run-events.js';
import type { EventBatch, LoggedEvent, RunEventLog } from '../runs/run-event-log.js';

interface LogEntry {
  /**
   * Each event's JSON as appended, serialized once (its length is also its size, and it is what every SSE
   * reader sends). Only the string is kept: an event's seq is its place in the array (`baseSeq + index`). A
   * wrapper object per event was a sixth of what a fast stream left for the garbage collector to copy and
   * promote; readers get a short-lived one per event they read instead.
   */
  events: (string | undefined)[];
  /** Seq of the event at index 0. */
  baseSeq: number;
  /**
   * Index of the oldest retained event: the ones before it were dropped (and cleared). `shift()` instead moved
   * every retained event once a run passed its bound, O(n) per append: at the default bound (50,000) the
   * backing store is a large object V8 cannot trim in place, and one such run held the daemon's thread at 17k events/s.
   */
  head: number;
  nextSeq: number;
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
  clock: Clock;
}

/** What every append returns: storing in memory is done before it returns, and one promise serves them all. */
const APPENDED = Promise.resolve();

/** Dropped events a run's arrays keep before they are compacted (small ones are not worth a copy). */
const COMPACT_AFTER = 1_024;

/** The embedded single-node event log: in memory, bounded per run, expired after the retention window. */
export class LocalRunEventLog implements RunEventLog {
  readonly #runs = new Map<string, LogEntry>();

  constructor(private readonly options: LocalRunEventLogOptions) {}

  append(runId: string, body: RunEventBody): Promise<void> {
    const now = this.options.clock.now();
    this.#expire(now);
    let entry = this.#runs.get(runId);
    if (!entry) {
      entry = {
        events: [],
        baseSeq: 1,
        head: 0,
        nextSeq: 1,
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
      seq: entry.nextSeq++,
      timestamp: this.#timestamp(now),
    };
    const json = JSON.stringify(event);
    entry.events.push(json);
    entry.bytes += json.length;
    while (
      entry.events.length - entry.head > this.options.maxEventsPerRun ||
      (entry.bytes > this.options.maxBytesPerRun && entry.events.length - entry.head > 1)
    ) {
      entry.bytes -= entry.events[entry.head]?.length ?? 0;
      entry.events[entry.head] = undefined;
      entry.head += 1;
    }
    // Compacted once the dropped part is as long as the retained one: each event is copied O(1) times.
    if (entry.head >= COMPACT_AFTER && entry.head * 2 >= entry.events.length) {
      entry.events = entry.events.slice(entry.head);
      entry.baseSeq += entry.head;
      entry.head = 0;
    }
    this.#wake(entry);
    return APPENDED;
  }

  complete(runId: string): Promise<void> {
    const entry = this.#runs.get(runId);
    if (entry && !entry.done) {
      entry.done = true;
      entry.completedAt = this.options.clock.now();
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
    const end = Math.min(entry.events.length, start + limit);
    const events: LoggedEvent[] = [];
    // Every index from head on holds an event.
    for (let i = start; i < end; i++)
      events.push({ seq: entry.baseSeq + i, json: entry.events[i] as string });
    const lastSeq = entry.nextSeq - 1;
    const reachedEnd = (events.at(-1)?.seq ?? afterSeq) >= lastSeq;
    return Promise.resolve({ events, done: entry.done && reachedEnd, firstSeq });
  }

  waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    const entry = this.#runs.get(runId);
    if (!entry || entry.done || entry.nextSeq - 1 > afterSeq || signal.aborted) return Promise.resolve();
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

  /** At most once a second: expiry scans every retained run, and append is a hot path. */
  #expire(now: number): void {
    if (now - this.#lastExpiry < 1_000) return;
    this.#lastExpiry = now;
    for (const [runId, entry] of this.#runs) {
      if (entry.done && now - entry.completedAt > this.options.retentionMs) this.#runs.delete(runId);
    }
  }
}
