import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { startS3, type S3TestServer } from '../support/s3-test-server.js';
import { sse, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { parseSums, WorkspaceInspector } from './workspace-inspector.js';

const SUMS = 'find . -type f -exec sha256sum {} + | sort -k 2';

describe.each(['local', 's3'] as const)('workspaces through real runs (%s store)', (kind) => {
  let s3: S3TestServer | undefined;
  let d: TestDaemon;
  let inspect: WorkspaceInspector;
  let tenantId: string;
  const prefix = `t${randomId(6)}`;

  beforeAll(async () => {
    s3 = kind === 's3' ? await startS3() : undefined;
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0', ...(s3?.env(prefix) ?? {}) } });
    inspect = new WorkspaceInspector(d);
    tenantId = (await d.api('POST', '/api/tenants', { name: `ws-${kind}` })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
    await s3?.close();
  });

  async function conversation(): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations`, {});
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function run(conversationId: string, ...lines: string[]) {
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message: lines.join('\n') },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    return res;
  }

  const bash = (command: string) => `@tool bash ${JSON.stringify({ command })}`;

  async function sandboxOf(conversationId: string) {
    const record = await d.registry.findByConversation(tenantId, conversationId);
    if (!record) throw new Error('no sandbox');
    return record;
  }

  async function sums(conversationId: string): Promise<Map<string, string>> {
    const record = await sandboxOf(conversationId);
    const out = await d.docker.exec.run(record.containerId, ['bash', '-c', `cd /workspace && ${SUMS}`]);
    return parseSums(out.stdout);
  }

  async function version(conversationId: string): Promise<number> {
    return (await d.api('GET', `/api/tenants/${tenantId}/conversations/${conversationId}`)).body
      .workspaceVersion as number;
  }

  it('saves nested, binary, empty and unicode files; a reaped sandbox’s successor gets them back', async () => {
    const id = await conversation();
    const first = await run(
      id,
      bash(
        "mkdir -p d1/d2/d3 && head -c 300000 /dev/urandom > d1/d2/d3/bin.dat && : > empty.txt && printf 'h\\xc3\\xa9\\n' > 'ünï cødé ✓.txt' && printf '#!/bin/sh\\necho run\\n' > d1/run.sh && chmod +x d1/run.sh",
      ),
      '@say done',
    );
    expect(types(first).slice(-2)).toEqual(['final', 'usage']);
    expect(await version(id)).toBe(1);
    const inSandbox = await sums(id);
    expect([...inSandbox.keys()].sort()).toEqual([
      'd1/d2/d3/bin.dat',
      'd1/run.sh',
      'empty.txt',
      'ünï cødé ✓.txt',
    ]);
    // The store holds the same bytes (read back, not taken from the manifest).
    expect(await inspect.contents(tenantId, id)).toEqual(inSandbox);
    const record = await sandboxOf(id);
    expect(record.workspaceVersion).toBe(1);

    // Written after the last sync (as a cancelled run would leave it): the reaper's hook saves it.
    await d.docker.exec.run(record.containerId, ['bash', '-c', 'echo late > /workspace/d1/late.txt']);
    const reap = await d.remover.remove(record, 'idle_ttl');
    expect(reap).toMatchObject({ deferred: false });
    expect(await version(id)).toBe(2);
    expect(await d.registry.findByConversation(tenantId, id)).toBeUndefined();

    const second = await run(id, bash(`${SUMS} && test -x d1/run.sh && ./d1/run.sh`), '@result');
    expect((await sandboxOf(id)).id).not.toBe(record.id);
    const restored = await sums(id);
    expect(restored.get('d1/late.txt')).toBeDefined();
    restored.delete('d1/late.txt');
    expect(restored).toEqual(inSandbox);
    expect(String(second.events.at(-2)?.data.content)).toContain('run');
  });

  it('moves only what changed, propagates deletions, and skips sync-in for a sandbox that is current', async () => {
    const id = await conversation();
    await run(
      id,
      bash(
        'mkdir -p src old && for i in $(seq 1 20); do echo "file $i" > src/f$i.txt; done && echo x > old/gone.txt && echo y > gone.txt',
      ),
      '@say ok',
    );
    expect((await inspect.manifest(tenantId, id)).files.size).toBe(22);
    const metric = async (name: string) =>
      Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await metricsText())?.[1] ?? 0);
    const metricsText = async () => (await d.api('GET', '/metrics')).body as string;
    const filesOut = await metric('agentd_workspace_sync_files_total\\{direction="out"\\}');
    const skippedIn = await metric('agentd_workspace_syncs_total\\{direction="in",result="skipped"\\}');
    const mark = s3?.requests.length ?? 0;

    await run(
      id,
      bash('echo changed >> src/f3.txt && echo new > src/new.txt && rm -r old gone.txt'),
      '@say ok',
    );

    // Counted at the S3 HTTP API before anything else reads the bucket.
    const since = s3?.requests.slice(mark) ?? [];
    expect(await metric('agentd_workspace_sync_files_total\\{direction="out"\\}')).toBe(filesOut + 2);
    expect(await metric('agentd_workspace_syncs_total\\{direction="in",result="skipped"\\}')).toBe(
      skippedIn + 1,
    );
    if (s3) {
      // Two file uploads (one new, one changed via staging), one copy into place, no file downloads.
      const uploads = since.filter(
        (r) => r.method === 'PUT' && !r.copy && !r.path.endsWith('/manifest.json'),
      );
      expect(uploads.map((r) => r.path.split('/').slice(-2).join('/')).sort()).toEqual([
        'src/f3.txt',
        'src/new.txt',
      ]);
      expect(since.filter((r) => r.copy)).toHaveLength(1);
      expect(since.filter((r) => r.method === 'GET' && r.path.includes('/files/'))).toHaveLength(0);
    }
    const manifest = await inspect.manifest(tenantId, id);
    expect(manifest.files.has('old/gone.txt')).toBe(false);
    expect(manifest.files.has('gone.txt')).toBe(false);
    expect(manifest.files.size).toBe(21);
    expect(manifest.staged.size + manifest.garbage.length).toBe(0);
    expect(await inspect.contents(tenantId, id)).toEqual(await sums(id));
    const keys = await inspect.keys(tenantId, id);
    expect(keys.filter((k) => k.includes('gone'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('staging/'))).toEqual([]);
  });

  it('shows API changes made between runs in the sandbox at the next run', async () => {
    const id = await conversation();
    await run(id, bash('echo one > keep.txt && echo two > remove-me.txt'), '@say ok');
    const base = `/api/tenants/${tenantId}/conversations/${id}/workspace/files`;
    const binary = Buffer.from([...Array(256).keys()].map((i) => i));
    const put = await fetch(`${d.url}${base}/uploads/bytes.bin`, {
      method: 'PUT',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: binary,
    });
    expect(put.status).toBe(201);
    expect((await d.api('DELETE', `${base}/remove-me.txt`)).status).toBe(204);
    expect(await version(id)).toBe(3);
    const list = await d.api('GET', base);
    expect(list.body.items.map((i: { path: string }) => i.path)).toEqual(['keep.txt', 'uploads/bytes.bin']);
    const res = await run(id, bash('ls -R . && od -An -tx1 uploads/bytes.bin | head -1'), '@result');
    const output = String(res.events.at(-2)?.data.content);
    expect(output).not.toContain('remove-me');
    expect(output).toContain('00 01 02 03');
    expect((await sandboxOf(id)).workspaceVersion).toBe(3);
  });
});
