import type { StoredTicket, TicketStore } from '../auth/ticket-store.js';
import { redisCall, type RedisClient } from './redis-connection.js';

// Deletes the record and its id index together, so a revoked ticket cannot be found by either.
const REMOVE = `
local hash = redis.call('GET', KEYS[1])
if not hash then return 0 end
redis.call('DEL', KEYS[1])
return redis.call('DEL', ARGV[1] .. hash)
`;

/** Fleet mode: a ticket issued on one node works on every node; a single-use claim holds fleet-wide. */
export class RedisTicketStore implements TicketStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async put(ticket: StoredTicket, ttlMs: number): Promise<void> {
    const px = String(Math.max(1, Math.ceil(ttlMs)));
    await redisCall(() =>
      this.client
        .multi()
        .set(this.#hashKey(ticket.hash), JSON.stringify(ticket), 'PX', px)
        .set(this.#idKey(ticket.id), ticket.hash, 'PX', px)
        .exec(),
    );
  }

  async findByHash(hash: string): Promise<StoredTicket | undefined> {
    const raw = await redisCall(() => this.client.get(this.#hashKey(hash)));
    return raw === null ? undefined : (JSON.parse(raw) as StoredTicket);
  }

  async findById(id: string): Promise<StoredTicket | undefined> {
    const hash = await redisCall(() => this.client.get(this.#idKey(id)));
    return hash === null ? undefined : this.findByHash(hash);
  }

  async claim(hash: string, ttlMs: number): Promise<boolean> {
    // SET NX is the atomic step: of two nodes consuming the same ticket at once, exactly one gets OK.
    const result = await redisCall(() =>
      this.client.set(`${this.prefix}ticket-used:${hash}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return result === 'OK';
  }

  async remove(id: string): Promise<boolean> {
    const removed = await redisCall(() =>
      this.client.eval(REMOVE, 1, this.#idKey(id), `${this.prefix}ticket:`),
    );
    return removed === 1;
  }

  #hashKey(hash: string): string {
    return `${this.prefix}ticket:${hash}`;
  }

  #idKey(id: string): string {
    return `${this.prefix}ticket-id:${id}`;
  }
}
