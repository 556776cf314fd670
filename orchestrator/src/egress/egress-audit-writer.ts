import type { Logger } from '../common/logger.js';
import type { EgressAuditRepository } from '../store/repositories.js';
import type { EgressAuditEntry, EgressAuditSink } from './egress-audit-entry.js';

export interface EgressAuditWriterOptions {
  repository: EgressAuditRepository;
  logger: Logger;
  /** Entries are written in one batch per interval; denials of one run, host, port and reason fold into one. */
  flushIntervalMs: number;
  /** Entries held between flushes; beyond it new ones are counted and dropped (a database outage is bounded). */
  maxPending: number;
}

/**
 * Audits egress attempts without a database write per attempt: a flood of refused CONNECTs from one sandbox
 * becomes one row per (run, host, port, reason) per interval, and everything goes out in batches.
 */
export class EgressAuditWriter implements EgressAuditSink {
  readonly #allowed: EgressAuditEntry[] = [];
  readonly #denied = new Map<string, EgressAuditEntry>();
  readonly #timer: NodeJS.Timeout;
  readonly #log: Logger;
  #dropped = 0;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: EgressAuditWriterOptions) {
    this.#log = options.logger.child({ component: 'egress-audit' });
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  record(entry: EgressAuditEntry): void {
    if (entry.verdict === 'denied') {
      const key = `${entry.runId}\n${entry.host}\n${entry.port}\n${entry.reason}`;
      const folded = this.#denied.get(key);
      if (folded) {
        folded.count += entry.count;
        return;
      }
      if (this.#pending() >= this.options.maxPending) {
        this.#dropped += entry.count;
        return;
      }
      this.#denied.set(key, { ...entry });
      return;
    }
    if (this.#pending() >= this.options.maxPending) {
      this.#dropped += entry.count;
      return;
    }
    this.#allowed.push(entry);
  }

  /** Writes what is pending (one batch); flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const batch = [...this.#allowed.splice(0), ...this.#denied.values()];
      this.#denied.clear();
      if (this.#dropped > 0) {
        this.#log.warn({ dropped: this.#dropped }, 'Egress audit entries dropped (too many pending)');
        this.#dropped = 0;
      }
      if (batch.length === 0) return;
      try {
        await this.options.repository.insertMany(batch);
      } catch (err) {
        this.#log.error({ err, entries: batch.length }, 'Could not write egress audit entries');
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #pending(): number {
    return this.#allowed.length + this.#denied.size;
  }
}
