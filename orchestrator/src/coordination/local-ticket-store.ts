import type { StoredTicket, TicketStore } from '../auth/ticket-store.js';
import type { Clock } from '../common/clock.js';

/** Embedded mode: tickets in this process, forgotten after their TTL. */
export class LocalTicketStore implements TicketStore {
  readonly #byHash = new Map<string, { ticket: StoredTicket; until: number }>();
  readonly #hashById = new Map<string, string>();
  readonly #claimed = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  put(ticket: StoredTicket, ttlMs: number): Promise<void> {
    this.#sweep();
    this.#byHash.set(ticket.hash, { ticket: structuredClone(ticket), until: this.clock.now() + ttlMs });
    this.#hashById.set(ticket.id, ticket.hash);
    return Promise.resolve();
  }

  findByHash(hash: string): Promise<StoredTicket | undefined> {
    const entry = this.#byHash.get(hash);
    if (!entry || entry.until <= this.clock.now()) return Promise.resolve(undefined);
    return Promise.resolve(structuredClone(entry.ticket));
  }

  findById(id: string): Promise<StoredTicket | undefined> {
    const hash = this.#hashById.get(id);
    return hash === undefined ? Promise.resolve(undefined) : this.findByHash(hash);
  }

  claim(hash: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const until = this.#claimed.get(hash);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.#claimed.set(hash, now + ttlMs);
    return Promise.resolve(true);
  }

  remove(id: string): Promise<boolean> {
    const hash = this.#hashById.get(id);
    if (hash === undefined) return Promise.resolve(false);
    this.#hashById.delete(id);
    const entry = this.#byHash.get(hash);
    this.#byHash.delete(hash);
    return Promise.resolve(entry !== undefined && entry.until > this.clock.now());
  }

  /** Drops lapsed entries now and then, so issued-and-forgotten tickets do not accumulate. */
  #sweep(): void {
    if (this.#byHash.size + this.#claimed.size < 1_000) return;
    const now = this.clock.now();
    for (const [hash, entry] of this.#byHash) {
      if (entry.until > now) continue;
      this.#byHash.delete(hash);
      this.#hashById.delete(entry.ticket.id);
    }
    for (const [hash, until] of this.#claimed) if (until <= now) this.#claimed.delete(hash);
  }
}
