import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { LocalWorkspaceStore } from '../../orchestrator/src/storage/local-workspace-store.js';
import { S3WorkspaceStore } from '../../orchestrator/src/storage/s3-workspace-store.js';
import type {
  ObjectLocation,
  WorkspaceRef,
  WorkspaceStore,
} from '../../orchestrator/src/storage/workspace-store.js';
import type { Conversation } from '../../orchestrator/src/store/entities.js';
import type { ConversationRepository } from '../../orchestrator/src/store/repositories.js';
import type { ManifestFile } from '../../orchestrator/src/workspace/manifest.js';
import { WorkspaceService } from '../../orchestrator/src/workspace/workspace-service.js';
import { startS3, type S3TestServer } from '../support/s3-test-server.js';

const MiB = 1024 * 1024;

interface Backend {
  store: WorkspaceStore;
  /** Where the key of an object really is, checked outside the store. */
  rawKeys(): Promise<string[]>;
  close(): Promise<void>;
}

async function localBackend(): Promise<Backend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ws-local-'));
  const store = new LocalWorkspaceStore(dir);
  return {
    store,
    rawKeys: async () =>
      (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !path.relative(dir, e.parentPath).startsWith('.tmp'))
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort(),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend & { s3: S3TestServer }> {
  const s3 = await startS3();
  const prefix = `c${randomId(6)}/nested`;
  const store = new S3WorkspaceStore({
    bucket: s3.bucket,
    prefix,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    checksums: 'when_required',
    maxAttempts: 3,
    logger: silentLogger(),
  });
  const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true });
  return {
    s3,
    store,
    rawKeys: async () => {
      const res = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
      return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    close: () => s3.close(),
  };
}

async function bytes(
  store: WorkspaceStore,
  ws: WorkspaceRef,
  at: ObjectLocation,
): Promise<Buffer | undefined> {
  const object = await store.get(ws, at);
  if (!object) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of object.body as AsyncIterable<Buffer>) chunks.push(chunk);
  const content = Buffer.concat(chunks);
  expect(object.size).toBe(content.length);
  return content;
}

const file = (p: string): ObjectLocation => ({ area: 'files', path: p });

describe.each([
  ['local', localBackend],
  ['s3', s3Backend],
] as const)('workspace store contract: %s', (kind, create) => {
  let backend: Backend;
  let ws: WorkspaceRef;
  beforeAll(async () => {
    backend = await create();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(() => {
    ws = { tenantId: `t_${randomId(6)}`, conversationId: `conv_${randomId(8)}` };
  });

  it('round-trips nested, binary, empty and unicode files byte for byte', async () => {
    const { store } = backend;
    const samples: [string, Buffer][] = [
      ['a/b/c/d/deep.txt', Buffer.from('deep\n')],
      ['all-bytes.bin', Buffer.from([...Array(256).keys()])],
      ['random.bin', randomBytes(200_000)],
      ['empty', Buffer.alloc(0)],
      ['ünï cødé/日本語 ✓.txt', Buffer.from('unicode')],
      ['spaces and +plus& %25.txt', Buffer.from('odd')],
    ];
    for (const [p, content] of samples) await store.put(ws, file(p), content, content.length);
    for (const [p, content] of samples) expect((await bytes(store, ws, file(p)))?.equals(content)).toBe(true);
    expect(await store.list(ws)).toEqual(samples.map(([p]) => `files/${p}`).sort());
  });

  it('streams a large file in parts and reads back the same bytes', async () => {
    const content = randomBytes(13 * MiB);
    const parts = [
      content.subarray(0, 5 * MiB),
      content.subarray(5 * MiB, 11 * MiB),
      content.subarray(11 * MiB),
    ];
    await backend.store.put(ws, file('big.bin'), Readable.from(parts), content.length);
    const back = await bytes(backend.store, ws, file('big.bin'));
    expect(createHash('sha256').update(back!).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
  });

  it('lays keys out as <prefix>/tenants/<tenant>/conversations/<conversation>/files/<path>', async () => {
    await backend.store.put(ws, file('x/y.txt'), Buffer.from('k'), 1);
    await backend.store.writeManifest(ws, Buffer.from('{}'));
    const keys = (await backend.rawKeys()).filter((k) => k.includes(ws.conversationId));
    const base = `tenants/${ws.tenantId}/conversations/${ws.conversationId}`;
    const prefix = kind === 's3' ? keys[0]!.slice(0, keys[0]!.indexOf('tenants/')) : '';
    expect(keys).toEqual([`${prefix}${base}/files/x/y.txt`, `${prefix}${base}/manifest.json`]);
  });

  it('replaces, copies, deletes (missing objects too) and answers undefined for what is not there', async () => {
    const { store } = backend;
    await store.put(ws, file('f.txt'), Buffer.from('one'), 3);
    await store.put(ws, file('f.txt'), Buffer.from('two!'), 4);
    expect((await bytes(store, ws, file('f.txt')))?.toString()).toBe('two!');
    const staged: ObjectLocation = { area: 'staging', syncId: randomId(16), path: 'f.txt' };
    await store.put(ws, staged, Buffer.from('staged'), 6);
    await store.copy(ws, staged, file('f.txt'));
    expect((await bytes(store, ws, file('f.txt')))?.toString()).toBe('staged');
    await store.delete(ws, [staged, file('never-was.txt')]);
    expect(await store.get(ws, staged)).toBeUndefined();
    expect(await store.get(ws, file('missing'))).toBeUndefined();
    expect(await store.readManifest(ws)).toBeUndefined();
    // A path whose parent used to be a file (the old object no longer referenced).
    await store.put(ws, file('f.txt/inner'), Buffer.from('in'), 2);
    expect((await bytes(store, ws, file('f.txt/inner')))?.toString()).toBe('in');
  });

  it('keeps conversations apart and deletes one workspace completely', async () => {
    const { store } = backend;
    const other: WorkspaceRef = { tenantId: ws.tenantId, conversationId: `${ws.conversationId}x` };
    await store.put(ws, file('a.txt'), Buffer.from('a'), 1);
    await store.put(ws, { area: 'staging', syncId: randomId(16), path: 'b.txt' }, Buffer.from('b'), 1);
    await store.writeManifest(ws, Buffer.from('{"v":1}'));
    await store.put(other, file('a.txt'), Buffer.from('other'), 5);
    expect((await store.readManifest(ws))?.toString()).toBe('{"v":1}');
    expect(await store.deleteAll(ws)).toBe(3);
    expect(await store.list(ws)).toEqual([]);
    expect((await bytes(store, other, file('a.txt')))?.toString()).toBe('other');
  });

  it('refuses keys outside the workspace, whatever the caller passes', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
      await expect(backend.store.put(ws, file(bad), Buffer.from('x'), 1)).rejects.toThrow(/unsafe path/);
    }
    await expect(
      backend.store.put({ tenantId: '../t', conversationId: 'c' }, file('x'), Buffer.from('x'), 1),
    ).rejects.toThrow(/bad id/);
  });

  it('answers a ping', async () => {
    expect(await backend.store.ping()).toContain(kind === 's3' ? 's3://' : 'local directory');
  });
});

/**
 * Conversations as the versions need them: a version and a fencing token, nothing else. Like the conversation
 * row in PostgreSQL (test/db/fencing.test.ts proves that side), a fenced commit holds a lock that a newer
 * run's start waits for before it takes its token.
 */
class FakeConversations {
  version = 0;
  token = 7n;
  #row: Promise<unknown> = Promise.resolve();
  #held = 0;
  get = (): Promise<Conversation> => Promise.resolve({ workspaceVersion: this.version } as Conversation);
  currentFencingToken = (): Promise<bigint> => Promise.resolve(this.token);
  setWorkspaceVersion = (_t: string, _c: string, version: number, token: bigint): Promise<boolean> => {
    if (token !== this.token) return Promise.resolve(false);
    this.version = version;
    return Promise.resolve(true);
  };
  commitWorkspace = (
    _t: string,
    _c: string,
    token: bigint,
    write: (committed: number) => Promise<number>,
  ): Promise<boolean> =>
    this.#locked(async () => {
      if (token !== this.token) return false;
      this.version = await write(this.version);
      return true;
    });
  /** A newer run starts; `blocked` when it has to wait for a commit in progress. */
  supersede(): { blocked: boolean; token: Promise<bigint> } {
    const blocked = this.#held > 0;
    return { blocked, token: this.#locked(() => Promise.resolve((this.token += 1n))) };
  }
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    this.#held += 1;
    const result = this.#row.then(fn).finally(() => (this.#held -= 1));
    this.#row = result.catch(() => undefined);
    return result;
  }
}

/** A store whose next manifest write waits until released: a writer paused just before its commit point. */
function pausing(store: WorkspaceStore): {
  store: WorkspaceStore;
  entered: Promise<void>;
  release: () => void;
} {
  let entered!: () => void;
  let release!: () => void;
  const atWrite = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const paused = new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop !== 'writeManifest') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (ws: WorkspaceRef, data: Buffer) => {
        entered();
        await released;
        return target.writeManifest(ws, data);
      };
    },
  });
  return { store: paused, entered: atWrite, release };
}

/** A store that fails the chosen operation once: what a network or S3 outage does mid-commit. */
function failing(store: WorkspaceStore, op: 'writeManifest' | 'copy'): WorkspaceStore & { armed: boolean } {
  const state = { armed: false };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'armed') return state.armed;
      if (prop === op && state.armed) {
        state.armed = false;
        return () => Promise.reject(new Error(`injected ${op} failure`));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value: boolean) {
      if (prop !== 'armed') return false;
      state.armed = value;
      return true;
    },
  }) as WorkspaceStore & { armed: boolean };
}

const entry = (content: string): ManifestFile => ({
  size: Buffer.byteLength(content),
  sha256: createHash('sha256').update(content).digest('hex'),
  mtimeMs: 1_700_000_000_000,
  executable: false,
});

describe.each([
  ['local', localBackend],
  ['s3', s3Backend],
] as const)('workspace versions on the %s store', (_kind, create) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await create();
  });
  afterAll(async () => {
    await backend.close();
  });

  async function setup(op: 'writeManifest' | 'copy') {
    const conversations = new FakeConversations();
    const store = failing(backend.store, op);
    const service = new WorkspaceService(
      store,
      conversations as unknown as ConversationRepository,
      silentLogger(),
    );
    const ws = { tenantId: `t_${randomId(6)}`, conversationId: `conv_${randomId(8)}` };
    // Version 1: a.txt = "old", gone.txt.
    await service.exclusive(ws, async (base) => {
      await backend.store.put(ws, file('a.txt'), Buffer.from('old'), 3);
      await backend.store.put(ws, file('gone.txt'), Buffer.from('bye'), 3);
      const files = new Map([
        ['a.txt', entry('old')],
        ['gone.txt', entry('bye')],
      ]);
      return service.commit(ws, base, { files, staged: new Map() }, conversations.token);
    });
    return { conversations, store, service, ws };
  }

  /** Version 2 changes a.txt (staged, it is live) and deletes gone.txt. */
  async function change(service: WorkspaceService, ws: WorkspaceRef, token: bigint, content = 'new') {
    return service.exclusive(ws, async (base) => {
      const syncId = randomId(16);
      const bytes = Buffer.from(content);
      await backend.store.put(ws, { area: 'staging', syncId, path: 'a.txt' }, bytes, bytes.length);
      return service.commit(
        ws,
        base,
        { files: new Map([['a.txt', entry(content)]]), staged: new Map([['a.txt', syncId]]) },
        token,
      );
    });
  }

  async function read(service: WorkspaceService, ws: WorkspaceRef, p: string) {
    const found = await service.open(ws, p);
    if (!found) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of found.object.body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString();
  }

  it('commits a change in one step and cleans up after it', async () => {
    const { service, ws, conversations } = await setup('copy');
    const committed = await change(service, ws, conversations.token);
    expect(committed).toMatchObject({ version: 2, staged: new Map(), garbage: [] });
    expect(conversations.version).toBe(2);
    expect(await read(service, ws, 'a.txt')).toBe('new');
    expect(await read(service, ws, 'gone.txt')).toBeUndefined();
    expect(await backend.store.list(ws)).toEqual(['files/a.txt', 'manifest.json']);
  });

  it('keeps the previous version intact when the commit itself fails', async () => {
    const { service, ws, conversations, store } = await setup('writeManifest');
    store.armed = true;
    await expect(change(service, ws, conversations.token)).rejects.toThrow(/injected writeManifest failure/);
    expect((await service.read(ws)).version).toBe(1);
    expect(conversations.version).toBe(1);
    expect(await read(service, ws, 'a.txt')).toBe('old');
    expect(await read(service, ws, 'gone.txt')).toBe('bye');
  });

  it('serves a committed version whose cleanup failed, and the next writer finishes it', async () => {
    const { service, ws, conversations, store } = await setup('copy');
    store.armed = true;
    const committed = await change(service, ws, conversations.token);
    expect(committed.version).toBe(2);
    expect(committed.staged.size).toBe(1);
    expect(await read(service, ws, 'a.txt')).toBe('new');
    await service.exclusive(ws, async (current) => {
      expect(current).toMatchObject({ version: 2, staged: new Map(), garbage: [] });
    });
    expect(await read(service, ws, 'a.txt')).toBe('new');
    expect(await backend.store.list(ws)).toEqual(['files/a.txt', 'manifest.json']);
  });

  it('refuses a commit from a run that was superseded (fencing)', async () => {
    const { service, ws, conversations } = await setup('copy');
    await expect(change(service, ws, conversations.token - 1n)).rejects.toMatchObject({
      code: 'CONVERSATION_BUSY',
    });
    expect((await service.read(ws)).version).toBe(1);
    expect(await read(service, ws, 'a.txt')).toBe('old');
  });

  it('never lets a superseded writer’s manifest into the store, even one paused just before writing it', async () => {
    const { service, ws, conversations } = await setup('copy');
    const older = pausing(backend.store);
    const olderService = new WorkspaceService(
      older.store,
      conversations as unknown as ConversationRepository,
      silentLogger(),
    );
    // Another node: its own service (and in-process lock) over the same store and conversation.
    const newerService = new WorkspaceService(
      backend.store,
      conversations as unknown as ConversationRepository,
      silentLogger(),
    );
    const olderCommit = change(olderService, ws, conversations.token, 'older');
    await older.entered;
    const newer = conversations.supersede();
    const newerCommit = newer.token.then((token) => change(newerService, ws, token, 'newer'));
    // Unless the older commit holds the newer run off, the newer one commits while the older one is paused.
    if (!newer.blocked) await newerCommit;
    older.release();
    const [olderResult, newerResult] = await Promise.allSettled([olderCommit, newerCommit]);
    expect(newerResult.status).toBe('fulfilled');
    if (olderResult.status === 'rejected')
      expect(olderResult.reason).toMatchObject({ code: 'CONVERSATION_BUSY' });
    const manifest = await service.read(ws);
    expect(manifest).toMatchObject({
      version: conversations.version,
      fencingToken: String(await newer.token),
    });
    expect(await read(service, ws, 'a.txt')).toBe('newer');
  });
});
