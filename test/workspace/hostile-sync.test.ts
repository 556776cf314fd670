import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostileImage, HOSTILE_IMAGE } from '../support/hostile-image.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
}

/** A modified runner attacks the sync-out: agentd refuses, stores nothing, writes nothing on the host. */
describe('a modified runner cannot get anything past the workspace sync', () => {
  let d: TestDaemon;
  let tenantId: string;
  let storeDir: string;

  beforeAll(async () => {
    await buildHostileImage();
    d = await startTestDaemon({
      env: {
        AGENTD_RUNNER_IMAGE: HOSTILE_IMAGE,
        AGENTD_WORKSPACE_SYNC_TIMEOUT: '3s',
        AGENTD_DISCONNECT_GRACE: '0',
      },
    });
    const store = d.config.workspace.store;
    if (store.kind !== 'local') throw new Error('this suite needs the local store');
    storeDir = store.dir;
    tenantId = (await d.api('POST', '/api/tenants', { name: 'hostile-sync' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function hostileSync(mode: string) {
    const id = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: `hostile:${mode}` },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    const conversation = (await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}`)).body;
    return { id, res, conversation, error: res.events.find((e) => e.data.type === 'error')?.data };
  }

  it.each([
    ['ws-entry-traversal', /archive entry "\.\.\/\.\.\/x\.txt" has a "\.\." segment/],
    ['ws-pax-traversal', /archive entry "\.\.\/\.\.\/\.\.\/\.\.\/etc\/agentd-x" has a "\.\." segment/],
    ['ws-scan-traversal', /workspace path "\.\.\/\.\.\/x\.txt" has a "\.\." segment/],
    ['ws-absolute', /workspace path "\/etc\/passwd" is absolute/],
    ['ws-backslash', /contains a backslash/],
    ['ws-nul', /control character or NUL/],
    ['ws-symlink-entry', /archive entry x\.txt is a symlink: only regular files travel/],
    ['ws-device-entry', /archive entry x\.txt is a character-device: only regular files travel/],
    ['ws-lying-size', /has 10485760 bytes, the scan said 5/],
    ['ws-wrong-hash', /content of x\.txt does not match its SHA-256/],
    ['ws-unrequested', /archive entry y\.txt was not requested/],
    ['ws-other-sync', /done without completing it/],
    ['ws-stall', /did not answer sync_out within 3000 ms/],
    ['ws-early-traversal', /early archive entry "\.\.\/\.\.\/x\.txt" has a "\.\." segment/],
    ['ws-early-wrong-hash', /content of x\.txt does not match its SHA-256/],
    ['ws-early-unlisted', /the scan does not list x\.txt as it was sent early/],
    ['ws-early-other-content', /the scan does not list x\.txt as it was sent early/],
    ['ws-early-twice', /early workspace files arrived out of turn/],
    ['ws-early-done-first', /the runner reported sync_out done without completing it/],
    ['ws-early-endless', /did not answer sync_out within 3000 ms/],
  ])('refuses %s', async (mode, message) => {
    const { id, res, conversation, error } = await hostileSync(mode);
    // The done-first runner sends another file 20 ms after its report: give it time to land, if agentd let it.
    if (mode === 'ws-early-done-first') await new Promise((r) => setTimeout(r, 1000));
    expect(error).toMatchObject({ code: 'WORKSPACE_SYNC_FAILED' });
    expect(String(error?.message)).toMatch(message);
    expect(res.events.some((e) => e.data.type === 'final')).toBe(false);
    expect(conversation.workspaceVersion).toBe(0);
    // Nothing of this conversation in the store, not even an upload left behind.
    const convDir = path.join(storeDir, 'tenants', tenantId, 'conversations', id);
    expect(await filesUnder(convDir)).toEqual([]);
    expect(
      await filesUnder(path.join(storeDir, 'staging', 'tenants', tenantId, 'conversations', id)),
    ).toEqual([]);
    for (const escaped of [
      path.resolve(convDir, 'files', '../../x.txt'),
      '/etc/agentd-x',
      path.join(d.config.stateDir, 'x.txt'),
    ])
      await expect(access(escaped)).rejects.toThrow();
  });

  it('stays healthy afterwards', async () => {
    const health = await d.api('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });
});
