import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from './fleet-harness.js';

interface SandboxView {
  conversationId: string | null;
  state: string;
}

/**
 * The tenant cap counts the whole fleet, so a tenant at its cap whose idle sandboxes sit on another node must
 * still be able to run here: this node claims the other's idle sandbox and that node removes it. The reaper
 * runs every 10 minutes here, so only the forwarded message can remove it in time.
 */
describe('the tenant cap across a fleet of two nodes', () => {
  const fleet = new Fleet({ AGENTD_MAX_SANDBOXES_PER_TENANT: '1', AGENTD_REAP_INTERVAL: '10m' });
  let tenantId: string;

  beforeAll(async () => {
    await fleet.setUp();
    await fleet.start('node-a');
    await fleet.start('node-b');
    tenantId = (await fleet.api('node-a', 'POST', '/api/tenants', { name: 'capped' })).body.id;
  });
  afterAll(async () => {
    await fleet.tearDown();
  });

  const conversation = async (): Promise<string> =>
    (await fleet.api('node-a', 'POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
  const query = (nodeId: string, conversationId: string, message: string) =>
    fleet.api(nodeId, 'POST', `/api/tenants/${tenantId}/conversations/${conversationId}/query`, { message });

  it('evicts the tenant’s idle sandbox on the other node instead of refusing, and loses nothing', async () => {
    const x = await conversation();
    const y = await conversation();
    expect((await query('node-a', x, 'x on a')).status).toBe(200);
    const onA = await fleet.containers('node-a');
    expect(onA).toHaveLength(1);

    const onB = await query('node-b', y, 'y on b');
    expect(onB.status, JSON.stringify(onB.body)).toBe(200);
    await expect.poll(() => fleet.containers('node-a'), { timeout: 15_000, interval: 250 }).toEqual([]);
    const reaps = (await fleet.api('node-b', 'GET', '/api/admin/reaps')).body.items as {
      conversationId: string;
      reason: string;
    }[];
    expect(reaps.find((r) => r.conversationId === x)?.reason).toBe('tenant_cap');

    // And back: x runs on A again, which evicts y's sandbox on B; x's history is whole.
    expect((await query('node-a', x, 'x again')).status).toBe(200);
    await expect.poll(() => fleet.containers('node-b'), { timeout: 15_000, interval: 250 }).toEqual([]);
    const messages = (
      await fleet.api('node-a', 'GET', `/api/tenants/${tenantId}/conversations/${x}/messages`)
    ).body.items as unknown[];
    expect(messages).toHaveLength(4);
  });

  it('still refuses with 429 when the tenant’s only sandbox elsewhere is busy', async () => {
    const busy = await conversation();
    const other = await conversation();
    const slow = query('node-a', busy, '@sleep 4000\n@say done');
    await expect
      .poll(
        async () =>
          ((await fleet.api('node-b', 'GET', '/api/admin/sandboxes')).body.items as SandboxView[]).find(
            (s) => s.conversationId === busy,
          )?.state,
        { timeout: 15_000, interval: 100 },
      )
      .toBe('busy');
    const refused = await query('node-b', other, 'no room');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('CAPACITY_EXHAUSTED');
    expect((await slow).status).toBe(200);
  });
});
