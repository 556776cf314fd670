import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../common/event-loop-turns.js';
import type { Store } from '../store/repositories.js';
import { toLoggedEvent, type EventBatch, type LoggedEvent, type RunEventLog } from './run-event-log.js';
import type { RunService } from './run-service.js';
import type { RunSignals } from './run-signals.js';
import { RunStreamService, type FeedItem } from './run-stream-service.js';

function event(seq: number): LoggedEvent {
  return toLoggedEvent({
    type: 'text',
    delta: `e${seq}`,
    runId: 'r',
    seq,
    timestamp: '2026-01-01T00:00:00.000Z',
  });
}

/** An event log whose reads are scripted batch by batch. */
function scriptedLog(batches: (EventBatch | undefined)[]): RunEventLog {
  return {
    append: () => Promise.reject(new Error('unused')),
    complete: () => Promise.resolve(),
    read: () => Promise.resolve(batches.shift()),
    waitForMore: () => Promise.resolve(),
  };
}

function service(
  log: RunEventLog,
  attached: string[],
  store = {} as Store,
  turns?: EventLoopTurns,
): RunStreamService {
  const runs = {
    attach: (id: string) => attached.push(`attach ${id}`),
    detach: (id: string) => attached.push(`detach ${id}`),
  } as unknown as RunService;
  const signals = { watch: () => () => attached.push('unwatch') } as unknown as RunSignals;
  return new RunStreamService({
    runs,
    store,
    eventLog: log,
    signals,
    limiter: { take: () => Promise.reject(new Error('unused')) },
    rateLimit: { enabled: false, requests: 1, periodMs: 1 },
    tenantRateLimit: () => Promise.resolve(undefined),
    ...(turns ? { turns } : {}),
  });
}

async function collect(feed: AsyncGenerator<FeedItem>): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  for await (const item of feed) items.push(item);
  return items;
}

describe('RunStreamService.follow', () => {
  const closed = () => new AbortController().signal;

  it('after a wake-up, waits for its turn when the relay has spent its slice', async () => {
    const order: string[] = [];
    const batches: EventBatch[] = [
      { events: [], done: false, firstSeq: 1 },
      { events: [event(1)], done: true, firstSeq: 1 },
    ];
    const log: RunEventLog = {
      ...scriptedLog([]),
      read: () => {
        order.push('read');
        return Promise.resolve(batches.shift());
      },
    };
    // A slice of 0 ms is spent once it has begun: this begins it.
    const turns = new EventLoopTurns(0, 1_000);
    void turns.turn();
    setImmediate(() => order.push('next turn'));
    await collect(service(log, [], undefined, turns).follow('r', 0, { closed: closed() }));
    // 50 readers woken at once each wrote a batch before any of them yielded.
    expect(order).toEqual(['read', 'next turn', 'read']);
  });

  it('yields batches until the run is done, and counts the follower while it reads', async () => {
    const attached: string[] = [];
    const log = scriptedLog([
      { events: [event(1), event(2)], done: false, firstSeq: 1 },
      { events: [], done: false, firstSeq: 1 },
      { events: [event(3)], done: true, firstSeq: 1 },
    ]);
    const items = await collect(service(log, attached).follow('r', 0, { closed: closed() }));
    expect(items).toEqual([
      { kind: 'events', events: [event(1), event(2)] },
      { kind: 'events', events: [event(3)] },
      { kind: 'done' },
    ]);
    expect(attached).toEqual(['attach r', 'unwatch', 'detach r']);
  });

  it('tells a reader behind the retention window how much it missed', async () => {
    const log = scriptedLog([{ events: [event(9)], done: false, firstSeq: 9 }]);
    const items = await collect(service(log, []).follow('r', 3, { closed: closed() }));
    expect(items).toEqual([{ kind: 'lagged', missed: 5, firstSeq: 9 }]);
  });

  it('says expired when the log is gone and shutdown when the node stops', async () => {
    expect(await collect(service(scriptedLog([undefined]), []).follow('r', 0, { closed: closed() }))).toEqual(
      [{ kind: 'expired' }],
    );
    const stop = new AbortController();
    stop.abort();
    const log = scriptedLog([{ events: [event(1)], done: false, firstSeq: 1 }]);
    expect(await collect(service(log, []).follow('r', 0, { closed: closed(), stop: stop.signal }))).toEqual([
      { kind: 'events', events: [event(1)] },
      { kind: 'shutdown' },
    ]);
  });

  it('detaches when the reader stops early', async () => {
    const attached: string[] = [];
    const log = scriptedLog([{ events: [event(1)], done: false, firstSeq: 1 }]);
    const feed = service(log, attached).follow('r', 0, { closed: closed() });
    await feed.next();
    await feed.return(undefined);
    expect(attached).toEqual(['attach r', 'unwatch', 'detach r']);
  });
});

describe('RunStreamService.attach', () => {
  /** A run of 3 events; `done` says whether it has ended (the log's read answers as the real ones do). */
  function attachService(done: boolean): RunStreamService {
    const log: RunEventLog = {
      append: () => Promise.reject(new Error('unused')),
      complete: () => Promise.resolve(),
      read: (_runId, afterSeq) =>
        Promise.resolve({ events: [], done: done && afterSeq >= 3, firstSeq: 1 } satisfies EventBatch),
      waitForMore: () => Promise.resolve(),
    };
    const run = { id: 'r', conversationId: 'c', status: done ? 'succeeded' : 'running' };
    return new RunStreamService({
      runs: {
        attach: () => undefined,
        detach: () => undefined,
        get: () => undefined,
      } as unknown as RunService,
      store: { runs: { get: () => Promise.resolve(run) } } as unknown as Store,
      eventLog: log,
      signals: { watch: () => () => undefined } as unknown as RunSignals,
      limiter: { take: () => Promise.reject(new Error('unused')) },
      rateLimit: { enabled: false, requests: 1, periodMs: 1 },
      tenantRateLimit: () => Promise.resolve(undefined),
    });
  }
  const target = { tenantId: 't', conversationId: 'c', runId: 'r' };
  const options = { closed: new AbortController().signal };

  it('says nothing more will come once a finished run’s last event was seen', async () => {
    expect(await attachService(true).attach(target, 3, options)).toEqual({ kind: 'ended' });
    expect(await attachService(true).attach(target, 4, options)).toEqual({ kind: 'ended' });
  });

  it('gives a feed while events remain or the run goes on', async () => {
    const before = await attachService(true).attach(target, 2, options);
    expect(before.kind).toBe('feed');
    if (before.kind === 'feed') await before.feed.return(undefined);
    expect((await attachService(false).attach(target, 3, options)).kind).toBe('feed');
  });
});

describe('RunStreamService.checkConversation', () => {
  const conversations = new Map([
    ['t1/live', { id: 'live', status: 'active' }],
    ['t1/old', { id: 'old', status: 'archived' }],
  ]);
  const store = {
    conversations: {
      get: (tenantId: string, id: string) => Promise.resolve(conversations.get(`${tenantId}/${id}`)),
    },
  } as unknown as Store;
  const check = (tenantId: string, conversationId: string) =>
    service(scriptedLog([]), [], store).checkConversation({ tenantId, conversationId });

  it('passes a live conversation of the tenant', async () => {
    await expect(check('t1', 'live')).resolves.toBeUndefined();
  });

  it("refuses one that is absent or another tenant's as not found, and an archived one", async () => {
    await expect(check('t1', 'gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(check('t2', 'live')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(check('t1', 'old')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'conversation old is archived',
    });
  });
});
