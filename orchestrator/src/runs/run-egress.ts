import type { EgressPolicy } from '../config/egress-policy.js';

/** Something an egress connection can be closed through (both of its sockets). */
export interface EgressConnection {
  close(reason: string): void;
}

export type EgressAdmission =
  | { ok: true }
  | {
      ok: false;
      reason: 'egress_off' | 'run_ended' | 'max_connections' | 'max_bytes_per_run';
      message: string;
    };

export interface EgressSummary {
  connections: number;
  denied: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * One run's egress: its policy, the connections open now and what they moved. Only the run's phase opens
 * it (`close` at the run's end shuts every connection, so egress is open only while the run is).
 */
export class RunEgress {
  readonly #open = new Set<EgressConnection>();
  readonly #warned = new Set<string>();
  #closed = false;
  #connections = 0;
  #denied = 0;
  #bytesIn = 0;
  #bytesOut = 0;

  constructor(readonly policy: EgressPolicy) {}

  get enabled(): boolean {
    return this.policy.mode !== 'none';
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Takes a connection slot, or says which cap refuses it. */
  admit(connection: EgressConnection): EgressAdmission {
    if (!this.enabled) return { ok: false, reason: 'egress_off', message: 'egress is off for this sandbox' };
    if (this.#closed) return { ok: false, reason: 'run_ended', message: 'egress is open only during a run' };
    if (this.#open.size >= this.policy.maxConnections)
      return {
        ok: false,
        reason: 'max_connections',
        message: `egress limit: at most ${this.policy.maxConnections} connections at once`,
      };
    if (this.#bytesIn + this.#bytesOut >= this.policy.maxBytesPerRun)
      return {
        ok: false,
        reason: 'max_bytes_per_run',
        message: `egress limit: ${this.policy.maxBytesPerRun} bytes per run reached`,
      };
    this.#open.add(connection);
    return { ok: true };
  }

  /** An admitted connection reached its destination (it counts in the run's summary). */
  opened(): void {
    this.#connections += 1;
  }

  release(connection: EgressConnection): void {
    this.#open.delete(connection);
  }

  recordDenied(): void {
    this.#denied += 1;
  }

  /** Counts bytes; false once the run's byte budget is spent (the caller closes the connection). */
  addBytes(direction: 'in' | 'out', bytes: number): boolean {
    if (direction === 'in') this.#bytesIn += bytes;
    else this.#bytesOut += bytes;
    return this.#bytesIn + this.#bytesOut <= this.policy.maxBytesPerRun;
  }

  /** True the first time a limit is hit in this run (one warning event per limit, not one per connection). */
  firstWarning(limit: string): boolean {
    if (this.#warned.has(limit)) return false;
    this.#warned.add(limit);
    return true;
  }

  /** The run ends: no new connection, and the open ones are closed. */
  close(): void {
    this.#closed = true;
    for (const connection of [...this.#open]) connection.close('the run ended');
    this.#open.clear();
  }

  summary(): EgressSummary {
    return {
      connections: this.#connections,
      denied: this.#denied,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
    };
  }
}
