import type { Readable, Writable } from 'node:stream';
import { pack, type Header, type Pack } from 'tar-stream';
import type { InboundHeader, InboundHeaderName, WorkspaceFileEntry } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import type { StoredObject, WorkspaceRef } from '../storage/workspace-store.js';
import type { Manifest, ManifestFile } from './manifest.js';
import type { WorkspaceService } from './workspace-service.js';
import { writeChunk } from './stream-write.js';

const HEADER_NAME: InboundHeaderName = '.agentd-inbound.json';
/** Small files are fetched ahead, this many at a time, while earlier ones are being sent. */
const PREFETCH = 8;
const SMALL_FILE_BYTES = 1024 * 1024;

/** What a sandbox must change to hold `manifest`: files it lacks or holds differently, files the store lacks. */
export function inboundHeader(manifest: Manifest, held: ReadonlyMap<string, ManifestFile>): InboundHeader {
  const write: WorkspaceFileEntry[] = [];
  for (const [path, file] of manifest.files) {
    const mine = held.get(path);
    if (mine?.sha256 === file.sha256 && mine.size === file.size && mine.executable === file.executable)
      continue;
    write.push({ path, ...file });
  }
  const remove = [...held.keys()].filter((p) => !manifest.files.has(p));
  return { version: manifest.version, delete: remove, write };
}

/**
 * Streams the inbound tar: the header first, then each file of `header.write` from the store, in order.
 * Small files are prefetched a few at a time; a large one streams straight from the store.
 */
export async function sendInbound(
  workspaces: WorkspaceService,
  ws: WorkspaceRef,
  manifest: Manifest,
  header: InboundHeader,
  out: Writable,
): Promise<number> {
  const tar = pack();
  const sending = (async () => {
    for await (const chunk of tar as AsyncIterable<Buffer>) await writeChunk(out, chunk);
    await new Promise<void>((resolve) => out.end(resolve));
  })();
  sending.catch(() => undefined);
  let bytes = 0;
  try {
    await addEntry(tar, HEADER_NAME, Buffer.from(JSON.stringify(header)), 0o644, Date.now());
    const prefetched = new Map<number, Promise<Buffer | StoredObject>>();
    const fetch = (i: number): void => {
      const entry = header.write[i];
      if (entry === undefined || prefetched.has(i) || entry.size > SMALL_FILE_BYTES) return;
      const content = workspaces
        .get(ws, manifest, entry.path)
        .then((object) => readAll(object, entry.size, entry.path));
      content.catch(() => undefined);
      prefetched.set(i, content);
    };
    for (let i = 0; i < header.write.length; i++) {
      for (let ahead = i; ahead < i + PREFETCH; ahead++) fetch(ahead);
      const entry = header.write[i];
      if (!entry) break;
      const source = await (prefetched.get(i) ?? workspaces.get(ws, manifest, entry.path));
      prefetched.delete(i);
      if (Buffer.isBuffer(source)) {
        await addEntry(tar, entry.path, source, entry.executable ? 0o755 : 0o644, entry.mtimeMs);
      } else {
        if (source.size !== entry.size) throw lost(entry.path, source.size, entry.size);
        await streamEntry(
          tar,
          {
            name: entry.path,
            size: entry.size,
            mode: entry.executable ? 0o755 : 0o644,
            mtime: new Date(entry.mtimeMs),
            type: 'file',
          },
          source.body,
        );
      }
      bytes += entry.size;
    }
    tar.finalize();
    await sending;
  } catch (err) {
    tar.destroy();
    out.destroy();
    throw err;
  }
  return bytes;
}

async function readAll(object: StoredObject, size: number, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of object.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    chunks.push(chunk);
  }
  if (length !== size) throw lost(path, length, size);
  return Buffer.concat(chunks, length);
}

function addEntry(tar: Pack, name: string, content: Buffer, mode: number, mtimeMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ name, size: content.length, mode, mtime: new Date(mtimeMs), type: 'file' }, content, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** Streams one entry's body into the archive, at the pace the runner reads it. */
function streamEntry(
  tar: Pack,
  header: Partial<Header> & Pick<Header, 'name'>,
  body: Readable,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = tar.entry(header, (err) => (err ? reject(err) : resolve()));
    (async () => {
      for await (const chunk of body as AsyncIterable<Buffer>) await writeChunk(sink, chunk);
      sink.end(undefined);
    })().catch((err: unknown) => {
      sink.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

function lost(path: string, actual: number, expected: number): AgentdError {
  return new AgentdError(
    'WORKSPACE_SYNC_FAILED',
    `the store holds ${actual} bytes for ${path}, the manifest says ${expected}`,
  );
}
