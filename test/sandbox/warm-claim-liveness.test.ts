import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const run = promisify(execFile);
let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.destroy();
  daemon = undefined;
});

describe('claiming a warm sandbox without a ping', () => {
  it('hands out a warm sandbox whose runner holds its poll, and never one whose runner is gone', async () => {
    // Not started: no engine events, so only the claim itself can notice that the runner died.
    daemon = await startTestDaemon({ start: false, env: { AGENTD_POOL_SIZE: '1' } });
    const d = daemon;
    await d.pool.refill();
    const first = (await d.sandboxes.list()).find((r) => r.state === 'warm');
    if (!first) throw new Error('no warm sandbox');
    await vi.waitFor(() => expect(d.callHome.channel(first.id)?.holdsPoll).toBe(true));
    const live = await d.sandboxes.acquire({ tenantId: 'tl', conversationId: 'live' });
    expect(live).toMatchObject({ source: 'pool', record: { id: first.id } });
    await d.sandboxes.ping(live.channel);

    // The claim started a refill in the background.
    await d.pool.settled();
    const dead = (await d.sandboxes.list()).find((r) => r.state === 'warm');
    if (!dead) throw new Error('no second warm sandbox');
    await run('docker', ['kill', dead.containerId]);
    await vi.waitFor(() => expect(d.callHome.channel(dead.id)?.holdsPoll).toBe(false), { timeout: 10_000 });
    const lease = await d.sandboxes.acquire({ tenantId: 'tl', conversationId: 'after-death' });
    expect(lease.record.id).not.toBe(dead.id);
    // Its failed ping cost the pool that sandbox: the claim went on to the refill's or a new container.
    expect(lease.source).not.toBe('reuse');
    await d.sandboxes.ping(lease.channel);
  });
});
