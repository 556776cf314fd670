import type { RunEvent, RunEventBody } from './run-events.js';

/**
 * A run event as the log keeps it: serialized once, when appended. Transports send the JSON as it is; the few
 * readers that look inside an event parse it (`parseLoggedEvent`).
 */
export interface LoggedEvent {
  readonly seq: number;
  /** The RunEvent as JSON. */
  readonly json: string;
  /**
   * Where the log holds the JSON as UTF-8 (the embedded log): its size in bytes, and a copy of those bytes into
   * `target` at `offset`. A transport that sends bytes (SSE) copies them rather than decode a string only to
   * encode it again, and no string per event is made.
   */
  readonly utf8?: { readonly size: number; copy(target: Buffer, offset: number): void };
}

export function parseLoggedEvent(event: LoggedEvent): RunEvent {
  return JSON.parse(event.json) as RunEvent;
}

export function toLoggedEvent(event: RunEvent): LoggedEvent {
  return { seq: event.seq, json: JSON.stringify(event) };
}

export interface EventBatch {
  events: LoggedEvent[];
  /** The run has ended and every event is in the log. */
  done: boolean;
  /** Oldest seq still retained; a reader behind it has lost events. */
  firstSeq: number;
}

/**
 * Every run's numbered events, bounded and kept for a retention window after the run ends, so a client can
 * resume with Last-Event-ID (on any node, in the Redis implementation).
 */
export interface RunEventLog {
  /**
   * Numbers the event (seq from 1), stamps it, stores it and wakes readers; rides out a short outage of the
   * store (a Redis restart or failover). Resolves with nothing: this is the relay's hottest call, and no caller
   * needs the stamped event back. Returns nothing at all when the event is stored before the call returns (the
   * embedded log): a model's every delta is appended, and a settled promise per delta, awaited, cost the relay
   * a promise and a microtask each.
   */
  append(runId: string, body: RunEventBody): Promise<void> | undefined;
  /** Marks the run ended; readers get `done` once they reach the last event. */
  complete(runId: string): Promise<void>;
  /** Events with seq > afterSeq, at most `limit`; undefined when the run is unknown or expired. */
  read(runId: string, afterSeq: number, limit: number): Promise<EventBatch | undefined>;
  /** Resolves when there are events after `afterSeq`, the run is done, or `signal` aborts. */
  waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void>;
}
