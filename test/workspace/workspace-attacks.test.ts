import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WorkspaceInspector } from './workspace-inspector.js';

const GiB = 1024 * 1024 * 1024;

/** Every file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('attacks from inside the sandbox on the workspace sync (local store: the host filesystem)', () => {
  let d: TestDaemon;
  let inspect: WorkspaceInspector;
  let tenantId: string;
  let storeDir: string;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0' } });
    inspect = new WorkspaceInspector(d);
    const store = d.config.workspace.store;
    if (store.kind !== 'local') throw new Error('this suite needs the local store');
    storeDir = store.dir;
    tenantId = (await d.api('POST', '/api/tenants', { name: 'attacks' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function conversation(tenant = tenantId): Promise<string> {
    return (await d.api('POST', `/api/tenants/${tenant}/conversations`, {})).body.id as string;
  }

  async function run(conversationId: string, command: string, tenant = tenantId) {
    const res = await sse(`${d.url}/api/tenants/${tenant}/conversations/${conversationId}/stream`, {
      body: { message: `@tool bash ${JSON.stringify({ command })}\n@say done` },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    return { res, error: res.events.find((e) => e.data.type === 'error')?.data };
  }

  it('never exports symlinks, FIFOs or sockets: `ln -s /etc/passwd leak`, `ln -s / root`', async () => {
    const id = await conversation();
    const { res } = await run(
      id,
      'echo real > real.txt && ln -s /etc/passwd leak && ln -s / root && ln -s real.txt alias && mkdir d && ln -s /etc d/etc && mkfifo pipe && python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\'sock\')"',
    );
    expect(types(res).slice(-2)).toEqual(['final', 'usage']);
    const manifest = await inspect.manifest(tenantId, id);
    expect([...manifest.files.keys()]).toEqual(['real.txt']);
    expect(await inspect.keys(tenantId, id)).toEqual(['files/real.txt', 'manifest.json']);
    const convDir = path.join(storeDir, 'tenants', tenantId, 'conversations', id);
    expect((await filesUnder(convDir)).sort()).toEqual(['files/real.txt', 'manifest.json']);
    const metrics = String((await d.api('GET', '/metrics')).body);
    expect(
      Number(/agentd_workspace_skipped_entries_total\{reason="symlink"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(/agentd_workspace_skipped_entries_total\{reason="fifo"\} [1-9]/);
    expect(metrics).toMatch(/agentd_workspace_skipped_entries_total\{reason="socket"\} [1-9]/);
    // A fresh sandbox gets the real file back and nothing else.
    const record = await d.registry.findByConversation(tenantId, id);
    await d.remover.remove(record!, 'idle_ttl');
    const again = await run(id, 'find . | sort');
    const listing = String(again.res.events.find((e) => e.data.type === 'tool_result')?.data.output);
    expect(listing.split('\n').filter((l) => l.startsWith('.'))).toEqual(['.', './real.txt']);
  });

  it('refuses a 2 GiB sparse file and 100k tiny files with WORKSPACE_LIMIT, losing nothing already stored', async () => {
    // Limits that let the kernel create a 2 GiB sparse file at all (fsize caps files at workspaceBytes).
    const big = (
      await d.api('POST', '/api/tenants', {
        name: 'big',
        policy: { limits: { workspaceBytes: 3 * GiB, fsizeBytes: 3 * GiB, memoryBytes: 4 * GiB } },
      })
    ).body.id as string;
    const id = await conversation(big);
    const first = await run(id, 'echo precious > keep.txt', big);
    expect(types(first.res)).toContain('final');
    const before = await inspect.contents(big, id);
    const version = (await d.api('GET', `/api/tenants/${big}/conversations/${id}`)).body.workspaceVersion;

    const sparse = await run(id, 'truncate -s 2G big && ls -ls big', big);
    expect(sparse.error).toMatchObject({ code: 'WORKSPACE_LIMIT' });
    expect(String(sparse.error?.message)).toMatch(/big has 2147483648 bytes/);
    expect(types(sparse.res)).not.toContain('final');

    const many = await run(
      id,
      "rm big && python3 -c \"import os; os.makedirs('many'); [open(f'many/{i}', 'w').close() for i in range(100000)]\"",
      big,
    );
    expect(many.error).toMatchObject({ code: 'WORKSPACE_LIMIT' });
    expect(String(many.error?.message)).toMatch(/more than 20000 files/);

    // Nothing reached the store beyond the limits, and the stored version is untouched.
    expect((await d.api('GET', `/api/tenants/${big}/conversations/${id}`)).body.workspaceVersion).toBe(
      version,
    );
    expect(await inspect.contents(big, id)).toEqual(before);
    expect((await inspect.keys(big, id)).filter((k) => k.includes('many') || k.includes('big'))).toEqual([]);
    expect(await d.api('GET', '/health')).toMatchObject({ status: 200 });

    // The agent cleans up in its sandbox (it still holds its files): the next run saves again.
    const cleaned = await run(id, 'rm -rf many && echo more > more.txt', big);
    expect(types(cleaned.res)).toContain('final');
    expect([...(await inspect.contents(big, id)).keys()].sort()).toEqual(['keep.txt', 'more.txt']);
  });

  it('keeps agentd healthy', async () => {
    const health = await d.api('GET', '/health');
    expect(health.status).toBe(200);
    expect(
      health.body.dependencies.find((x: { name: string }) => x.name === 'workspace-store'),
    ).toMatchObject({
      status: 'up',
      mode: 'embedded',
    });
  });
});
