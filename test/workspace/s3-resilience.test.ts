import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { startS3, type S3TestServer } from '../support/s3-test-server.js';
import { sse, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WorkspaceInspector } from './workspace-inspector.js';

/** S3 misbehaving: retried by the SDK, reported clearly when it stays down, the previous version kept. */
describe('workspace sync when S3 fails', () => {
  let s3: S3TestServer;
  let d: TestDaemon;
  let inspect: WorkspaceInspector;
  let tenantId: string;
  const prefix = `r${randomId(6)}`;

  beforeAll(async () => {
    s3 = await startS3();
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0', ...s3.env(prefix) } });
    inspect = new WorkspaceInspector(d);
    tenantId = (await d.api('POST', '/api/tenants', { name: 's3-faults' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
    await s3.close();
  });

  async function conversation(): Promise<string> {
    return (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
  }
  async function run(id: string, command: string) {
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: `@tool bash ${JSON.stringify({ command })}\n@say done` },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    return { res, error: res.events.find((e) => e.data.type === 'error')?.data };
  }
  const version = async (id: string) =>
    (await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}`)).body.workspaceVersion as number;
  const uploads = (r: { method: string; path: string }) => r.method === 'PUT' && r.path.includes('/files/');

  it('retries S3 errors with backoff (the SDK’s standard strategy) and stores every byte', async () => {
    const id = await conversation();
    const mark = s3.requests.length;
    s3.fail(2, uploads);
    const { res } = await run(id, 'head -c 50000 /dev/urandom > a.bin && echo b > b.txt');
    expect(types(res)).toContain('final');
    const puts = s3.requests.slice(mark).filter(uploads);
    // Two refused, then retried: four PUTs for two files.
    expect(puts.length).toBe(4);
    const record = await d.registry.findByConversation(tenantId, id);
    const sums = await d.docker.exec.run(record!.containerId, [
      'bash',
      '-c',
      'cd /workspace && sha256sum a.bin b.txt',
    ]);
    const stored = await inspect.contents(tenantId, id);
    for (const line of sums.stdout.trim().split('\n')) {
      const [hash, name] = line.split(/\s+/);
      expect(stored.get(name!)).toBe(hash);
    }
  });

  it('fails a run whose files cannot be saved with WORKSPACE_SYNC_FAILED, keeps the previous version, loses nothing', async () => {
    const id = await conversation();
    await run(id, 'echo one > keep.txt');
    const before = await inspect.contents(tenantId, id);
    s3.fail(1000, (r) => r.method === 'PUT');
    const { res, error } = await run(id, 'echo two > keep.txt && echo new > new.txt');
    s3.heal();
    expect(error).toMatchObject({ code: 'WORKSPACE_SYNC_FAILED', recoverable: true });
    expect(String(error?.message)).toMatch(/S3 put .* failed.*previous workspace version is intact/s);
    expect(types(res)).not.toContain('final');
    expect(await version(id)).toBe(1);
    expect(await inspect.contents(tenantId, id)).toEqual(before);
    expect((await inspect.keys(tenantId, id)).filter((k) => k.startsWith('staging/'))).toEqual([]);
    // The sandbox still holds the run's files; the next run saves them.
    const { res: next } = await run(id, 'cat keep.txt new.txt');
    expect(types(next)).toContain('final');
    expect(await version(id)).toBe(2);
    expect([...(await inspect.contents(tenantId, id)).keys()].sort()).toEqual(['keep.txt', 'new.txt']);
  });

  it('keeps an idle sandbox whose files cannot be saved, and saves them when S3 is back', async () => {
    const id = await conversation();
    await run(id, 'echo saved > a.txt');
    const record = (await d.registry.findByConversation(tenantId, id))!;
    await d.docker.exec.run(record.containerId, ['bash', '-c', 'echo unsaved > /workspace/b.txt']);
    s3.fail(1000);
    const deferred = await d.remover.remove(record, 'idle_ttl');
    s3.heal();
    expect(deferred).toMatchObject({ deferred: true });
    expect((await d.registry.get(record.id))?.state).toBe('idle');
    const reaped = await d.remover.remove((await d.registry.get(record.id))!, 'idle_ttl');
    expect(reaped).toMatchObject({ deferred: false });
    expect([...(await inspect.contents(tenantId, id)).keys()].sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('reports S3 in /health and /health/ready (503 naming it) while it is down', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const up = await d.api('GET', '/health');
    expect(up.body.dependencies.find((x: { name: string }) => x.name === 's3')).toMatchObject({
      status: 'up',
      mode: 'service',
    });
    s3.fail(100_000);
    await new Promise((r) => setTimeout(r, 1100));
    const ready = await d.api('GET', '/health/ready');
    s3.heal();
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toContain('s3');
    expect(ready.body.failing[0]).toMatchObject({ name: 's3' });
  });
});
