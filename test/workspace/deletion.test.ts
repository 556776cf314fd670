import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/**
 * Deleting a conversation or a tenant removes what it left behind: the sandbox container (on whichever node
 * owns it) and the workspace objects. Two nodes share PostgreSQL, Redis and one workspace store.
 */
describe('deleting conversations and tenants removes their sandboxes and workspaces', () => {
  let workspaceDir: string;
  let a: TestDaemon;
  let b: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    workspaceDir = await mkdtemp(path.join(tmpdir(), 'agentd-ws-shared-'));
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      AGENTD_REDIS_PREFIX: `agentd-del-${randomId(8)}:`,
      AGENTD_WORKSPACE_DIR: workspaceDir,
    };
    a = await startTestDaemon({ env });
    // Node B reaps often, so a deletion made on node A reaches B's idle sandbox within the test.
    b = await startTestDaemon({ env: { ...env, AGENTD_REAP_INTERVAL: '200ms' }, databaseUrl: a.databaseUrl });
    tenantId = (await a.api('POST', '/api/tenants', { name: 'deletion' })).body.id;
  });
  afterAll(async () => {
    await b.destroy();
    await a.destroy();
    await rm(workspaceDir, { recursive: true, force: true });
  });

  const objects = async (tenant: string, conversation: string): Promise<string[]> =>
    (
      await readdir(path.join(workspaceDir, 'tenants', tenant, 'conversations', conversation), {
        recursive: true,
        withFileTypes: true,
      }).catch(() => [])
    )
      .filter((e) => e.isFile())
      .map((e) => e.name);

  /** A conversation whose run on `node` wrote a file: it has an idle sandbox there and workspace objects. */
  async function used(node: TestDaemon, tenant = tenantId): Promise<{ id: string; containerId: string }> {
    const id = (await node.api('POST', `/api/tenants/${tenant}/conversations`, {})).body.id as string;
    const res = await node.api('POST', `/api/tenants/${tenant}/conversations/${id}/query`, {
      message: '@tool write_file {"path":"notes.txt","content":"secret"}\n@say saved',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const record = await node.registry.findByConversation(tenant, id);
    expect(record?.nodeId).toBe(node.config.nodeId);
    await expect.poll(() => objects(tenant, id)).toContain('notes.txt');
    return { id, containerId: record?.containerId ?? '' };
  }

  async function expectGone(node: TestDaemon, tenant: string, c: { id: string; containerId: string }) {
    await expect
      .poll(async () => (await node.docker.containers.inspect(c.containerId)) === undefined, {
        timeout: 10_000,
      })
      .toBe(true);
    await expect.poll(() => objects(tenant, c.id), { timeout: 10_000 }).toEqual([]);
    expect(await a.registry.findByConversation(tenant, c.id)).toBeUndefined();
  }

  it('a conversation deleted on the node that holds its sandbox', async () => {
    const c = await used(a);
    expect((await a.api('DELETE', `/api/tenants/${tenantId}/conversations/${c.id}`)).status).toBe(204);
    await expectGone(a, tenantId, c);
  });

  it('a conversation deleted on another node than the one that holds its sandbox', async () => {
    const c = await used(b);
    expect((await a.api('DELETE', `/api/tenants/${tenantId}/conversations/${c.id}`)).status).toBe(204);
    await expectGone(b, tenantId, c);
  });

  it('a tenant deleted with its conversations, on both nodes', async () => {
    const tenant = (await a.api('POST', '/api/tenants', { name: 'doomed' })).body.id as string;
    const onA = await used(a, tenant);
    const onB = await used(b, tenant);
    expect((await a.api('DELETE', `/api/tenants/${tenant}?force=true`)).status).toBe(204);
    await expectGone(a, tenant, onA);
    await expectGone(b, tenant, onB);
  });
});
