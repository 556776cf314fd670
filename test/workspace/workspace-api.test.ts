import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const MiB = 1024 * 1024;

/** A request with the path sent exactly as written (fetch would normalise `..`). */
function raw(
  url: string,
  method: string,
  rawPath: string,
  key: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, method, path: rawPath, headers: { 'x-api-key': key } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(method === 'PUT' ? 'x' : undefined);
  });
}

describe('workspace API', () => {
  let d: TestDaemon;
  let tenantId: string;
  let storeDir: string;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0' } });
    const store = d.config.workspace.store;
    if (store.kind !== 'local') throw new Error('this suite needs the local store');
    storeDir = store.dir;
    // A small workspace: 4 MiB is both the per-file limit and the quota.
    tenantId = (
      await d.api('POST', '/api/tenants', {
        name: 'ws-api',
        policy: { limits: { workspaceBytes: 4 * MiB, fsizeBytes: 4 * MiB } },
      })
    ).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function conversation(body: Record<string, unknown> = {}): Promise<string> {
    return (await d.api('POST', `/api/tenants/${tenantId}/conversations`, body)).body.id as string;
  }
  const files = (id: string) => `/api/tenants/${tenantId}/conversations/${id}/workspace/files`;
  const put = (
    id: string,
    file: string,
    body: string | Buffer | ReadableStream,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${d.url}${files(id)}/${file}`, {
      method: 'PUT',
      headers: { 'x-api-key': d.adminKey, ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    });

  it('answers 400 to every path traversal attempt, on GET, PUT and DELETE', async () => {
    const id = await conversation();
    expect((await put(id, 'ok.txt', 'fine')).status).toBe(201);
    const attempts = [
      '../../../../etc/passwd',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '%2e%2e/%2e%2e/etc/passwd',
      '%2Fetc%2Fpasswd',
      'a%5C..%5C..%5Cb',
      'a%00b',
      'a//b',
      './ok.txt',
      'dir/',
      'x'.repeat(800),
    ];
    for (const attempt of attempts) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await raw(d.url!, method, `${files(id)}/${attempt}`, d.adminKey);
        expect({ attempt, method, status: res.status }).toEqual({ attempt, method, status: 400 });
        expect(JSON.parse(res.body).error.code).toBe('VALIDATION_FAILED');
      }
    }
    const list = await d.api('GET', files(id));
    expect(list.body.items.map((i: { path: string }) => i.path)).toEqual(['ok.txt']);
  });

  it('streams uploads and downloads byte for byte, with a strong ETag', async () => {
    const id = await conversation();
    const content = randomBytes(3 * MiB);
    const created = await put(id, 'data/blob.bin', content, { 'content-type': 'application/json' });
    expect(created.status).toBe(201);
    const info = (await created.json()) as { etag: string; size: number };
    expect(info.size).toBe(content.length);
    const got = await fetch(`${d.url}${files(id)}/data/blob.bin`, { headers: { 'x-api-key': d.adminKey } });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(info.etag);
    expect(Buffer.from(await got.arrayBuffer()).equals(content)).toBe(true);
    const cached = await fetch(`${d.url}${files(id)}/data/blob.bin`, {
      headers: { 'x-api-key': d.adminKey, 'if-none-match': info.etag },
    });
    expect(cached.status).toBe(304);
    const replaced = await put(id, 'data/blob.bin', 'small now');
    expect(replaced.status).toBe(200);
    expect(
      await (
        await fetch(`${d.url}${files(id)}/data/blob.bin`, { headers: { 'x-api-key': d.adminKey } })
      ).text(),
    ).toBe('small now');
    expect((await d.api('GET', `${files(id)}/nope.txt`)).status).toBe(404);
    expect((await d.api('DELETE', `${files(id)}/nope.txt`)).status).toBe(404);
  });

  it('limits uploads to the workspace size, declared or streamed, and keeps what was stored', async () => {
    const id = await conversation();
    expect((await put(id, 'three.bin', randomBytes(3 * MiB))).status).toBe(201);
    const declared = await put(id, 'five.bin', randomBytes(5 * MiB));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('WORKSPACE_LIMIT');
    const chunks = [randomBytes(MiB), randomBytes(MiB)];
    const streamed = await put(
      id,
      'two.bin',
      new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
    );
    // 3 MiB stored + 2 MiB streamed without a length: over the 4 MiB quota, found while streaming.
    expect(streamed.status).toBe(413);
    const list = await d.api('GET', files(id));
    expect(list.body.items.map((i: { path: string }) => i.path)).toEqual(['three.bin']);
    const convDir = path.join(storeDir, 'tenants', tenantId, 'conversations', id, 'files');
    expect(await readdir(convDir)).toEqual(['three.bin']);
  });

  it('pages the listing, and refuses a file where a directory is (and the other way round)', async () => {
    const id = await conversation();
    for (const name of ['a.txt', 'b.txt', 'dir/c.txt']) expect((await put(id, name, name)).status).toBe(201);
    const first = await d.api('GET', `${files(id)}?limit=2`);
    expect(first.body.items.map((i: { path: string }) => i.path)).toEqual(['a.txt', 'b.txt']);
    const second = await d.api('GET', `${files(id)}?limit=2&cursor=${String(first.body.nextCursor)}`);
    expect(second.body).toMatchObject({ items: [{ path: 'dir/c.txt', size: 9 }], nextCursor: null });
    expect((await put(id, 'a.txt/inner', 'x')).status).toBe(400);
    expect((await put(id, 'dir', 'x')).status).toBe(400);
  });

  it('answers 409 CONVERSATION_BUSY to changes during a run', async () => {
    const id = await conversation();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: '@sleep 1500\n@say slow' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: () => started(),
    });
    await running;
    const busy = await put(id, 'x.txt', 'x');
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('CONVERSATION_BUSY');
    expect((await d.api('DELETE', `${files(id)}/x.txt`)).status).toBe(409);
    expect((await d.api('GET', files(id))).status).toBe(200);
    expect((await run).done).toBe(true);
    expect((await put(id, 'x.txt', 'x')).status).toBe(201);
  });

  it('does not sync a conversation with workspaceEnabled: false', async () => {
    const id = await conversation({ workspaceEnabled: false });
    expect((await d.api('GET', files(id))).status).toBe(400);
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: '@tool bash {"command":"echo x > x.txt"}\n@say ok' },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(types(res)).toContain('final');
    await expect(readdir(path.join(storeDir, 'tenants', tenantId, 'conversations', id))).rejects.toThrow();
  });

  it('removes a deleted conversation’s workspace objects', async () => {
    const id = await conversation();
    expect((await put(id, 'doomed.txt', 'bye')).status).toBe(201);
    const convDir = path.join(storeDir, 'tenants', tenantId, 'conversations', id);
    expect(await readdir(convDir)).toContain('manifest.json');
    expect((await d.api('DELETE', `/api/tenants/${tenantId}/conversations/${id}`)).status).toBe(204);
    await expect
      .poll(() =>
        readdir(convDir).then(
          () => 'exists',
          () => 'gone',
        ),
      )
      .toBe('gone');
  });
});
