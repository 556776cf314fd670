import type { Clock } from '../common/clock.js';
import type { RunEvent, RunEventBody } from '../runs/run-events.js';
import { retry, RIDE_OUT_OUTAGE } from '../common/retry.js';
import { redisCall, type RedisClient } from './redis-connection.js';
import type { RedisNotifier } from './redis-notifier.js';
import type { EventBatch, LoggedEvent, RunEventLog } from '../runs/run-event-log.js';

export interface RedisRunEventLogOptions {
  client: RedisClient;
  notifier: RedisNotifier;
  prefix: string;
  maxEventsPerRun: number;
  /** How long a finished run stays readable (and the upper bound for an abandoned one's keys). */
  retentionMs: number;
  /** A run's keys expire this long after its last event even if it never completes (its node died). */
  abandonedTtlMs: number;
  /** A lost notification costs a waiting reader at most this long. */
  wakeFallbackMs: number;
  clock: Clock;
}

const CHANNEL = 'events';
// Numbers the event and appends it in one step, so two writers (the owner, and a node finishing an orphaned
// run) can never reuse a sequence number. Stream ids are "<seq>-0", so readers range by seq directly.
const APPEND = `
local seq = redis.call('INCR', KEYS[2])
local event = string.gsub(ARGV[1], '"__SEQ__"', tostring(seq), 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], tostring(seq) .. '-0', 'e', event)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return event
`;

/** Run events in Redis Streams: readable from any node, bounded per run, kept for the retention window. */
export class RedisRunEventLog implements RunEventLog {
  readonly #waiters = new Map<string, Set<() => void>>();
  #subscribed: Promise<unknown> | undefined;

  constructor(private readonly options: RedisRunEventLogOptions) {}

  async append(runId: string, body: RunEventBody): Promise<void> {
    await retry(() => this.#append(runId, body), RIDE_OUT_OUTAGE);
  }

  async #append(runId: string, body: RunEventBody): Promise<void> {
    // seq first: the script replaces the first placeholder only, so event text can never collide with it.
    const template = JSON.stringify({
      seq: '__SEQ__',
      ...body,
      runId,
      timestamp: new Date(this.options.clock.now()).toISOString(),
    });
    const { client, maxEventsPerRun, abandonedTtlMs } = this.options;
    const json = await redisCall(
      () =>
        client.eval(
          APPEND,
          2,
          this.#stream(runId),
          this.#seqKey(runId),
          template,
          maxEventsPerRun,
          abandonedTtlMs,
        ) as Promise<string>,
    );
    const { seq } = JSON.parse(json) as RunEvent;
    this.options.notifier.publish(this.#channel(), `${runId} ${seq}`);
  }

  async complete(runId: string): Promise<void> {
    const { client, retentionMs } = this.options;
    const last = (await redisCall(() => client.get(this.#seqKey(runId)))) ?? '0';
    await redisCall(() =>
      client
        .multi()
        .set(this.#doneKey(runId), last, 'PX', retentionMs)
        .pexpire(this.#stream(runId), retentionMs)
        .pexpire(this.#seqKey(runId), retentionMs)
        .exec(),
    );
    this.options.notifier.publish(this.#channel(), `${runId} done`);
  }

  async read(runId: string, afterSeq: number, limit: number): Promise<EventBatch | undefined> {
    const { client } = this.options;
    const [entries, first, done, last] = await redisCall(async () =>
      Promise.all([
        limit > 0
          ? client.xrange(this.#stream(runId), `${afterSeq + 1}-0`, '+', 'COUNT', limit)
          : Promise.resolve([]),
        client.xrange(this.#stream(runId), '-', '+', 'COUNT', 1),
        client.get(this.#doneKey(runId)),
        client.get(this.#seqKey(runId)),
      ]),
    );
    if (last === null && done === null) return undefined;
    // Stream ids are "<seq>-0"; the JSON goes to readers as stored.
    const events = entries.map(([id, fields]): LoggedEvent => ({
      seq: Number.parseInt(id, 10),
      json: fields[1] ?? '{}',
    }));
    const lastSeq = Number(last ?? done ?? 0);
    const firstSeq = first[0] ? Number(first[0][0].split('-')[0]) : lastSeq + 1;
    const reachedEnd = (events.at(-1)?.seq ?? afterSeq) >= lastSeq;
    return { events, done: done !== null && reachedEnd, firstSeq };
  }

  async waitForMore(runId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    // Without the subscription (Redis away) readers still wake by the poll timer below.
    await this.#subscribe().catch(() => undefined);
    const batch = await this.read(runId, afterSeq, 1);
    if (!batch || batch.done || batch.events.length > 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      let set = this.#waiters.get(runId);
      if (!set) {
        set = new Set();
        this.#waiters.set(runId, set);
      }
      const waiters = set;
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(runId);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, this.options.wakeFallbackMs);
      waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  #subscribe(): Promise<unknown> {
    this.#subscribed ??= this.options.notifier
      .subscribe(this.#channel(), (message) => {
        const runId = message.split(' ')[0] ?? '';
        for (const wake of [...(this.#waiters.get(runId) ?? [])]) wake();
      })
      .catch((err: unknown) => {
        // Redis away: try again next time (readers poll meanwhile).
        this.#subscribed = undefined;
        throw err;
      });
    return this.#subscribed;
  }

  #channel(): string {
    return `${this.options.prefix}${CHANNEL}`;
  }

  #stream(runId: string): string {
    return `${this.options.prefix}ev:${runId}`;
  }

  #seqKey(runId: string): string {
    return `${this.options.prefix}evseq:${runId}`;
  }

  #doneKey(runId: string): string {
    return `${this.options.prefix}evdone:${runId}`;
  }
}
