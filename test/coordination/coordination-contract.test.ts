import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../orchestrator/src/common/clock.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { createCoordination, type Coordination } from '../../orchestrator/src/coordination/coordination.js';
import { parseLoggedEvent } from '../../orchestrator/src/runs/run-event-log.js';
import type { StoredTicket } from '../../orchestrator/src/auth/ticket-store.js';
import { sampleRecord } from '../../orchestrator/src/sandbox/sample-record.fixture.js';
import { startBreakingProxy } from '../support/breaking-proxy.js';

const REDIS_URL = process.env.AGENTD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const record = sampleRecord;

function ticket(extra: Partial<StoredTicket> = {}): StoredTicket {
  const id = `tkt_${randomId(12)}`;
  return {
    id,
    hash: `hash-${id}`,
    kind: 'conversation',
    tenantId: 't1',
    conversationId: 'c1',
    runId: null,
    issuer: { keyId: 'k1', actor: 'key:k1(test)' },
    issuedAt: 1_795_000_000_000,
    expiresAt: 1_795_000_060_000,
    ...extra,
  };
}

const opened: Coordination[] = [];
const prefixes = new Set<string>();
async function open(
  mode: 'redis' | 'embedded',
  nodeId = 'n1',
  prefix = `agentd-test-${randomId(8)}:`,
  redisUrl = REDIS_URL,
): Promise<Coordination> {
  prefixes.add(prefix);
  const coordination = await createCoordination(
    {
      nodeId,
      redis: { url: mode === 'redis' ? redisUrl : undefined, password: undefined, prefix },
      lockTtlMs: 1_500,
      heartbeatTtlMs: 1_500,
      eventLog: {
        maxEventsPerRun: 100,
        maxBytesPerRun: 1 << 20,
        maxTotalBytes: 1 << 30,
        retentionMs: 60_000,
        abandonedTtlMs: 120_000,
        // Far beyond any test: a waiting reader that wakes was woken by the notification.
        wakeFallbackMs: 600_000,
      },
    },
    systemClock,
    silentLogger(),
  );
  opened.push(coordination);
  return coordination;
}
afterAll(async () => {
  for (const c of opened) await c.close();
  const { Redis } = await import('ioredis');
  const raw = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
  }
  raw.disconnect();
});

/** One contract, two implementations: what holds for the embedded mode holds for Redis, and vice versa. */
describe.each(['embedded', 'redis'] as const)('coordination contract (%s)', (mode) => {
  it('locks: exclusive until released, then free again', async () => {
    const c = await open(mode);
    const first = await c.locks.tryAcquire('conversation:a');
    expect(first).toBeDefined();
    expect(await c.locks.tryAcquire('conversation:a')).toBeUndefined();
    expect(await c.locks.tryAcquire('conversation:b')).toBeDefined();
    await first?.release();
    await first?.release();
    expect(await c.locks.tryAcquire('conversation:a')).toBeDefined();
  });

  it('registry: put, get, compare-and-set transitions, filters and the conversation owner', async () => {
    const c = await open(mode);
    await c.registry.put(record('s1'));
    await c.registry.put(
      record('s2', { nodeId: 'n2', tenantId: 't2', conversationId: 'conv-x', state: 'warm' }),
    );
    expect((await c.registry.get('s1'))?.state).toBe('idle');
    expect(await c.registry.transition('s1', ['busy'], { state: 'removing' })).toBeUndefined();
    expect((await c.registry.transition('s1', ['idle'], { state: 'busy', lastUsedAt: 5 }))?.state).toBe(
      'busy',
    );
    expect(await c.registry.transition('s1', [], { state: 'idle' })).toBeUndefined();
    expect((await c.registry.update('s1', { workspaceVersion: 3 }))?.workspaceVersion).toBe(3);
    expect((await c.registry.list({ nodeId: 'n1' })).map((r) => r.id)).toEqual(['s1']);
    expect((await c.registry.list({ tenantId: 't2' })).map((r) => r.id)).toEqual(['s2']);
    expect((await c.registry.list()).map((r) => r.id).sort()).toEqual(['s1', 's2']);
    expect((await c.registry.findByConversation('t1', 'conv-s1'))?.id).toBe('s1');
    // A warm sandbox assigned later moves to its tenant's index.
    await c.registry.transition('s2', ['warm'], { state: 'busy', tenantId: 't3', conversationId: 'conv-y' });
    expect((await c.registry.list({ tenantId: 't2' })).map((r) => r.id)).toEqual([]);
    expect((await c.registry.findByConversation('t3', 'conv-y'))?.id).toBe('s2');
    await c.registry.remove('s1');
    expect(await c.registry.get('s1')).toBeUndefined();
    expect(await c.registry.findByConversation('t1', 'conv-s1')).toBeUndefined();
    expect((await c.registry.list({ nodeId: 'n1' })).map((r) => r.id)).toEqual([]);
  });

  it('event log: numbered from 1, read after a seq, done at the end, bounded', async () => {
    const c = await open(mode);
    const runId = `run_${randomId(8)}`;
    for (let i = 0; i < 3; i++) await c.eventLog.append(runId, { type: 'text', delta: `d${i}` });
    const batch = await c.eventLog.read(runId, 1, 10);
    expect(batch?.events.map(parseLoggedEvent).map((e) => [e.seq, e.type === 'text' ? e.delta : ''])).toEqual(
      [
        [2, 'd1'],
        [3, 'd2'],
      ],
    );
    expect(batch?.events.map(parseLoggedEvent)[0]?.runId).toBe(runId);
    expect(batch?.done).toBe(false);
    await c.eventLog.complete(runId);
    expect((await c.eventLog.read(runId, 3, 10))?.done).toBe(true);
    expect(await c.eventLog.read(`run_${randomId(8)}`, 0, 10)).toBeUndefined();
    const big = `run_${randomId(8)}`;
    for (let i = 0; i < 250; i++) await c.eventLog.append(big, { type: 'text', delta: 'x' });
    const tail = await c.eventLog.read(big, 0, 1000);
    expect(tail?.firstSeq).toBeGreaterThan(1);
    expect(tail?.events.length).toBeLessThanOrEqual(200);
    expect(tail?.events.at(-1)?.seq).toBe(250);
  });

  it('event log: a waiting reader wakes when an event arrives', async () => {
    const c = await open(mode);
    const runId = `run_${randomId(8)}`;
    await c.eventLog.append(runId, { type: 'text', delta: 'a' });
    // Returns at once (an event is there) and leaves the log subscribed.
    await c.eventLog.waitForMore(runId, 0, new AbortController().signal);
    let woke = false;
    const waited = c.eventLog.waitForMore(runId, 1, new AbortController().signal).then(() => (woke = true));
    // One turn: the reader's own read is queued on the connection before the append below.
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    await c.eventLog.append(runId, { type: 'text', delta: 'b' });
    await waited;
    expect((await c.eventLog.read(runId, 1, 10))?.events).toHaveLength(1);
  });

  it('tickets: found by hash and id, claimed once, removed, forgotten after their TTL', async () => {
    const c = await open(mode);
    const t = ticket({ kind: 'run', runId: 'r1' });
    await c.tickets.put(t, 60_000);
    expect(await c.tickets.findByHash(t.hash)).toEqual(t);
    expect(await c.tickets.findById(t.id)).toEqual(t);
    expect(await c.tickets.findByHash('hash-other')).toBeUndefined();

    expect(await c.tickets.claim(t.hash, 60_000)).toBe(true);
    expect(await c.tickets.claim(t.hash, 60_000)).toBe(false);
    expect(await c.tickets.findByHash(t.hash)).toEqual(t);

    expect(await c.tickets.remove(t.id)).toBe(true);
    expect(await c.tickets.remove(t.id)).toBe(false);
    expect(await c.tickets.findByHash(t.hash)).toBeUndefined();
    expect(await c.tickets.findById(t.id)).toBeUndefined();

    const brief = ticket();
    await c.tickets.put(brief, 50);
    await expect
      .poll(() => c.tickets.findByHash(brief.hash), { interval: 20, timeout: 2_000 })
      .toBeUndefined();
    expect(await c.tickets.findById(brief.id)).toBeUndefined();
  });

  it('tickets: of concurrent claims exactly one wins', async () => {
    const c = await open(mode);
    const claims = await Promise.all(Array.from({ length: 20 }, () => c.tickets.claim('hash-race', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('signals: a cancel request reaches the handler', async () => {
    const c = await open(mode);
    let resolve!: (runId: string) => void;
    const got = new Promise<string>((r) => (resolve = r));
    await c.signals.onCancel(resolve);
    await c.signals.requestCancel('run_x');
    expect(await got).toBe('run_x');
  });
});

describe('coordination across two Redis nodes', () => {
  it('shares locks, the registry, events and cancel signals; tells who watches and who is alive', async () => {
    const prefix = `agentd-test-${randomId(8)}:`;
    const a = await open('redis', 'node-a', prefix);
    const b = await open('redis', 'node-b', prefix);
    const lock = await a.locks.tryAcquire('conversation:shared');
    expect(await b.locks.tryAcquire('conversation:shared')).toBeUndefined();

    await a.registry.put(record('sa', { nodeId: 'node-a' }));
    expect((await b.registry.get('sa'))?.nodeId).toBe('node-a');
    // Node B takes over the conversation with its own sandbox: it now owns the conversation.
    await b.registry.put(record('sb', { nodeId: 'node-b', conversationId: 'conv-sa' }));
    expect((await a.registry.findByConversation('t1', 'conv-sa'))?.id).toBe('sb');

    const runId = `run_${randomId(8)}`;
    const waited = b.eventLog.waitForMore(runId, 0, new AbortController().signal);
    await a.eventLog.append(runId, { type: 'text', delta: 'from a' });
    await waited;
    expect((await b.eventLog.read(runId, 0, 10))?.events.map(parseLoggedEvent)[0]).toMatchObject({
      seq: 1,
      delta: 'from a',
    });

    let onCancel!: (runId: string) => void;
    const cancelled = new Promise<string>((r) => (onCancel = r));
    await a.signals.onCancel(onCancel);
    await b.signals.requestCancel(runId);
    expect(await cancelled).toBe(runId);

    const unwatch = b.signals.watch(runId);
    await expect.poll(() => a.signals.watchedElsewhere(runId)).toBe(true);
    expect(await b.signals.watchedElsewhere(runId)).toBe(false);
    unwatch();
    await expect.poll(() => a.signals.watchedElsewhere(runId)).toBe(false);

    // A ticket issued through one node is found and consumed (once) through the other.
    const shared = ticket();
    await a.tickets.put(shared, 60_000);
    expect(await b.tickets.findByHash(shared.hash)).toEqual(shared);
    expect(await b.tickets.claim(shared.hash, 60_000)).toBe(true);
    expect(await a.tickets.claim(shared.hash, 60_000)).toBe(false);
    expect(await b.tickets.remove(shared.id)).toBe(true);
    expect(await a.tickets.findById(shared.id)).toBeUndefined();

    await a.nodes.start({ nodeId: 'node-a', url: null, startedAt: new Date().toISOString() });
    expect(await b.nodes.isAlive('node-a')).toBe(true);
    expect((await b.nodes.list()).map((n) => n.nodeId)).toEqual(['node-a']);
    await a.nodes.stop();
    expect(await b.nodes.isAlive('node-a')).toBe(false);

    // A lock whose holder stops extending it (a crashed process) frees itself after its TTL.
    await lock?.release();
    const held = await a.locks.tryAcquire('conversation:crash');
    expect(held).toBeDefined();
    const lost = new Promise((resolve) => held?.lost.addEventListener('abort', resolve));
    // Simulate the lock being taken away (expired and grabbed while the holder was paused).
    const { Redis } = await import('ioredis');
    const raw = new Redis(REDIS_URL);
    await raw.del(`${prefix}lock:conversation:crash`);
    await raw.set(`${prefix}lock:conversation:crash`, 'someone-else', 'PX', 5_000);
    await lost;
    raw.disconnect();
  });
});

describe('Redis event log over a dropped connection', () => {
  it('an append made while the connection is down lands once it is back, once', async () => {
    await using proxy = await startBreakingProxy(Number(new URL(REDIS_URL).port || 6379));
    const c = await open('redis', 'n1', undefined, proxy.url.replace('http:', 'redis:'));
    const runId = `run_${randomId(8)}`;
    await c.eventLog.append(runId, { type: 'text', delta: 'before' });
    for (const connection of proxy.connections) connection.break();
    // The client has seen the close (loopback) and reconnects after its back-off: commands fail fast meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.eventLog.append(runId, { type: 'text', delta: 'during' });
    const events = (await c.eventLog.read(runId, 0, 10))?.events.map(parseLoggedEvent);
    expect(events?.map((e) => [e.seq, e.type === 'text' ? e.delta : ''])).toEqual([
      [1, 'before'],
      [2, 'during'],
    ]);
  });
});
