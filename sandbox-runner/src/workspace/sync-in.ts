import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { CallHomeClient } from '../call-home-client.js';
import type {
  InboundHeader,
  InboundHeaderName,
  JobResult,
  SyncInData,
  SyncInJob,
  WorkspaceFileEntry,
  WorkspaceInboundPath,
  WorkspaceScan,
} from '../protocol.js';
import { readBody } from '../read-body.js';
import { RunnerError } from '../runner-error.js';
import { clearTarget, ensureRealParent, removeRegularFile } from './safe-fs.js';
import { refusal } from './refusal.js';
import { syncPathProblem } from './sync-path.js';
import { readTar, type TarEntry } from './tar-reader.js';
import type { WorkspaceScanner } from './workspace-scanner.js';

const INBOUND: WorkspaceInboundPath = '/v1/workspace/inbound';
const HEADER_NAME: InboundHeaderName = '.agentd-inbound.json';
const REQUEST_TIMEOUT_MS = 120_000;
/** One header entry of the inbound manifest, generously: a path plus a hash and a few numbers. */
const HEADER_BYTES_PER_FILE = 1536;

/**
 * Brings /workspace to the store's version: reports what it holds, then applies agentd's answer (deletions,
 * then files, each written to a temporary name and renamed into place, its SHA-256 checked).
 */
export async function syncIn(
  job: SyncInJob,
  client: CallHomeClient,
  scanner: WorkspaceScanner,
  root: string,
): Promise<JobResult<SyncInData>> {
  let scan: WorkspaceScan;
  try {
    scan = await scanner.scan(job.limits);
  } catch (err) {
    if (!(err instanceof RunnerError) || err.code !== 'WORKSPACE_LIMIT') throw err;
    // Unsaved leftovers beyond the limits: the store is the truth, start from an empty workspace.
    await emptyDirectory(root);
    scan = { files: [], skipped: [], skippedTotal: 0 };
  }
  const res = await client.stream({
    method: 'POST',
    path: `${INBOUND}?sync=${encodeURIComponent(job.syncId)}`,
    body: JSON.stringify(scan),
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  if (res.statusCode !== 200) throw refusal(res.statusCode ?? 0, await readBody(res, 64 * 1024));
  const entries = readTar(res as AsyncIterable<Buffer>);
  const first = await entries.next();
  if (first.done || first.value.path !== HEADER_NAME)
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'the inbound stream has no header');
  const maxHeader = (job.limits.maxFiles + 16) * HEADER_BYTES_PER_FILE;
  if (first.value.size > maxHeader)
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'inbound header too large');
  const header = parseHeader(await collect(first.value), job.limits.maxPathBytes);

  let deleted = 0;
  for (const relative of header.delete) {
    if (await removeRegularFile(root, relative)) deleted += 1;
    scanner.forget(relative);
  }
  let bytes = 0;
  for (const expected of header.write) {
    const next = await entries.next();
    if (next.done)
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `the inbound stream ends before ${expected.path}`);
    if (next.value.path !== expected.path || next.value.size !== expected.size)
      throw new RunnerError(
        'WORKSPACE_SYNC_FAILED',
        `unexpected entry ${next.value.path} (wanted ${expected.path})`,
      );
    await writeFile(root, expected, next.value, scanner);
    bytes += expected.size;
  }
  if (!(await entries.next()).done)
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'the inbound stream has more entries than announced');
  return { jobId: job.jobId, ok: true, data: { written: header.write.length, deleted, bytes } };
}

async function writeFile(
  root: string,
  entry: WorkspaceFileEntry,
  tar: TarEntry,
  scanner: WorkspaceScanner,
): Promise<void> {
  const dir = await ensureRealParent(root, entry.path);
  const target = path.join(dir, path.basename(entry.path));
  const temporary = path.join(dir, `.agentd-sync-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  const handle = await open(temporary, 'wx', entry.executable ? 0o755 : 0o644);
  try {
    for await (const chunk of tar.body) {
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.chmod(entry.executable ? 0o755 : 0o644);
  } catch (err) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  await handle.close();
  const sha256 = hash.digest('hex');
  if (sha256 !== entry.sha256) {
    await unlink(temporary).catch(() => undefined);
    throw new RunnerError('WORKSPACE_SYNC_FAILED', `${entry.path}: content does not match its SHA-256`);
  }
  const mtime = new Date(entry.mtimeMs);
  await utimes(temporary, mtime, mtime);
  await clearTarget(target);
  // rename replaces a symlink at the target itself; it never writes through it.
  await rename(temporary, target);
  scanner.remember(entry.path, await lstat(target, { bigint: true }), sha256);
}

async function collect(entry: TarEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** agentd is trusted to send a well-formed header; this only turns a broken one into a clear failure. */
function parseHeader(raw: Buffer, maxPathBytes: number): InboundHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'the inbound header is not JSON');
  }
  const header = parsed as Partial<InboundHeader>;
  if (!Number.isInteger(header.version) || !Array.isArray(header.delete) || !Array.isArray(header.write))
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'the inbound header is malformed');
  const paths = [...header.delete, ...header.write.map((w) => w.path)];
  for (const p of paths) {
    const problem = typeof p === 'string' ? syncPathProblem(p, maxPathBytes) : 'not a string';
    if (problem !== undefined)
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `bad path in header: ${problem}`);
  }
  for (const w of header.write) {
    if (
      !Number.isSafeInteger(w.size) ||
      w.size < 0 ||
      !Number.isFinite(w.mtimeMs) ||
      typeof w.executable !== 'boolean' ||
      !/^[0-9a-f]{64}$/.test(w.sha256)
    )
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `bad entry ${w.path} in header`);
  }
  return header as InboundHeader;
}

async function emptyDirectory(root: string): Promise<void> {
  for (const name of await readdir(root)) await rm(path.join(root, name), { recursive: true, force: true });
}
