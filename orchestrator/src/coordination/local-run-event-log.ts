import type { Clock } from '../common/clock.js';
import type { RunEventBody } from '../runs/run-events.js';
import type { EventBatch, LoggedEvent, RunEventLog } from '../runs/run-event-log.js';
import { ChunkEvent } from './chunk-event.js';
import { EventChunk } from './event-chunk.js';
import { EventJson, RunKey, stampSuffix } from './event-json.js';

interface LogEntry {
  /**
   * The retained events' JSON as appended, serialized once (what every SSE reader sends), in chunks of consecutive
   * events stored off the heap (`EventChunk` says why). Dropping the oldest events frees whole chunks, with no
   * compaction; a chunk a reader is partly behind stays until its last event goes.
   */
  chunks: EventChunk[];
  /** What follows each event's body in its JSON, up to the seq. */
  key: RunKey;
  /** Seq of the oldest retained event (the ones before it were dropped). */
  firstSeq: number;
  /** Seq of the last event appended (0 before the first). */
  lastSeq: number;
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
   * Across runs, in bytes of JSON (UTF-8): beyond it, finished runs are forgotten oldest first, before their retention
   * window ends (a resume of one is then told it expired). Running runs are never dropped: each is bounded by
   * the per-run limits, and their number by the node's capacity.
   */
  maxTotalBytes: number;
  clock: Clock;
}

/** The embedded single-node event log: in memory, bounded per run, expired after the retention window. */
export class LocalRunEventLog implements RunEventLog {
  readonly #runs = new Map<string, LogEntry>();
  /** Finished runs, in the order they finished (the order they are forgotten in). */
  readonly #finished = new Map<string, LogEntry>();
  #totalBytes = 0;

  constructor(private readonly options: LocalRunEventLogOptions) {}

  /** Stores the event in memory before it returns, so it returns nothing to wait for. */
  append(runId: string, body: RunEventBody): undefined {
    const now = this.options.clock.now();
    this.#expire(now);
    let entry = this.#runs.get(runId);
    if (!entry) {
      entry = {
        chunks: [],
        key: new RunKey(runId),
        firstSeq: 1,
        lastSeq: 0,
        bytes: 0,
        done: false,
        completedAt: 0,
        waiters: new Set(),
        waking: false,
      };
      this.#runs.set(runId, entry);
    }
    const seq = ++entry.lastSeq;
    // `{ ...body, runId, seq, timestamp }` as JSON (a RunEvent), written into the chunk from its parts.
    const event = this.#event;
    const size = event.set(body, entry.key, seq, this.#stampOf(now));
    let chunk = entry.chunks.at(-1);
    if (!chunk?.fits(size)) {
      chunk = new EventChunk(seq, size, chunk === undefined);
      entry.chunks.push(chunk);
    }
    chunk.push(event);
    entry.bytes += size;
    this.#totalBytes += size;
    while (
      entry.lastSeq - entry.firstSeq + 1 > this.options.maxEventsPerRun ||
      (entry.bytes > this.options.maxBytesPerRun && entry.lastSeq > entry.firstSeq)
    ) {
      const oldest = entry.chunks[0] as EventChunk;
      const dropped = oldest.size(entry.firstSeq);
      entry.bytes -= dropped;
      this.#totalBytes -= dropped;
      entry.firstSeq += 1;
      if (entry.firstSeq === oldest.endSeq) entry.chunks.shift();
    }
    if (this.#totalBytes > this.options.maxTotalBytes) this.#forgetOldestFinished();
    this.#wake(entry);
    return undefined;
  }

  complete(runId: string): Promise<void> {
    const entry = this.#runs.get(runId);
    if (entry && !entry.done) {
      entry.done = true;
      entry.chunks.at(-1)?.seal();
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
    const { firstSeq, lastSeq, chunks } = entry;
    const from = Math.max(afterSeq + 1, firstSeq);
    const to = Math.min(lastSeq, from + limit - 1);
    const events: LoggedEvent[] = [];
    let c = chunkIndex(chunks, from);
    for (let seq = from; seq <= to; seq++) {
      let chunk = chunks[c] as EventChunk;
      if (seq === chunk.endSeq) chunk = chunks[++c] as EventChunk;
      events.push(new ChunkEvent(seq, chunk));
    }
    const reachedEnd = Math.max(to, afterSeq) >= lastSeq;
    return Promise.resolve({ events, done: entry.done && reachedEnd, firstSeq });
  }

  waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    const entry = this.#runs.get(runId);
    if (!entry || entry.done || entry.lastSeq > afterSeq || signal.aborted) return Promise.resolve();
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

  /** Reused by every append: an event is written into its chunk before the next one is prepared. */
  readonly #event = new EventJson();
  #stampMs = Number.NaN;
  #stamp = '';

  /** The end of an event's JSON with its time, one string per millisecond (events of the same one share it). */
  #stampOf(now: number): string {
    if (now !== this.#stampMs) {
      this.#stampMs = now;
      this.#stamp = stampSuffix(now);
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

/** Index of the chunk holding `seq` (a retained one): readers mostly read the newest, so the search starts there. */
function chunkIndex(chunks: readonly EventChunk[], seq: number): number {
  let c = chunks.length - 1;
  while (c > 0 && (chunks[c] as EventChunk).firstSeq > seq) c--;
  return c;
}
