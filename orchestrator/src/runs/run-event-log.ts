import type { RunEvent, RunEventBody } from './run-events.js';

export interface EventBatch {
  events: RunEvent[];
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
  /** Numbers the event (seq from 1), stamps it, stores it and wakes readers. */
  append(runId: string, body: RunEventBody): Promise<RunEvent>;
  /** Marks the run ended; readers get `done` once they reach the last event. */
  complete(runId: string): Promise<void>;
  /** Events with seq > afterSeq, at most `limit`; undefined when the run is unknown or expired. */
  read(runId: string, afterSeq: number, limit: number): Promise<EventBatch | undefined>;
  /** Resolves when there are events after `afterSeq`, the run is done, or `signal` aborts. */
  waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void>;
}
