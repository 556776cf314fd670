import path from 'node:path';
import type { CallHomeClient } from '../call-home-client.js';
import type {
  JobResult,
  OutboundPlan,
  SyncOutData,
  SyncOutJob,
  WorkspaceScan,
  WorkspaceOutboundEarlyPath,
  WorkspaceOutboundFilesPath,
  WorkspaceOutboundPath,
} from '../protocol.js';
import { readBody } from '../read-body.js';
import { errorMessage, RunnerError } from '../runner-error.js';
import { EarlyUpload } from './early-upload.js';
import { refusal } from './refusal.js';
import { openRegularFile } from './regular-file.js';
import { TarWriter } from './tar-writer.js';
import type { WorkspaceScanner } from './workspace-scanner.js';

const OUTBOUND: WorkspaceOutboundPath = '/v1/workspace/outbound';
const OUTBOUND_FILES: WorkspaceOutboundFilesPath = '/v1/workspace/outbound/files';
const OUTBOUND_EARLY: WorkspaceOutboundEarlyPath = '/v1/workspace/outbound/early';
const REQUEST_TIMEOUT_MS = 120_000;
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** Files read ahead of the one being sent, and the largest read whole (larger ones are streamed). */
const READ_AHEAD = 8;
const WHOLE_FILE_BYTES = 1024 * 1024;
/** Bytes the upload may hold before the next write waits for the socket to drain. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/**
 * Sends the small files it hashes while it scans (new or changed since its last scan, so agentd most likely
 * lacks them) so agentd stores them during the scan; then reports /workspace to agentd, and sends the files
 * agentd still asks for as one tar stream.
 */
export async function syncOut(
  job: SyncOutJob,
  client: CallHomeClient,
  scanner: WorkspaceScanner,
  root: string,
): Promise<JobResult<SyncOutData>> {
  const query = `?sync=${encodeURIComponent(job.syncId)}`;
  const early = new EarlyUpload(client, `${OUTBOUND_EARLY}${query}`, MAX_BUFFERED_BYTES);
  let scan;
  try {
    scan = await scanner.scan(job.limits, (entry, content) => early.send(entry, content));
    await early.end();
  } catch (err) {
    throw (await early.abort()) ?? err;
  }
  // agentd plans as soon as it has read the early tar; storing those files overlaps the rest of the sync.
  const stored = early.stored();
  stored.catch(() => undefined);
  try {
    const result = await sendScanAndFiles(job, client, scan, root, query);
    await stored;
    return {
      ...result,
      data: { ...result.data, sent: early.sent + result.data.sent, bytes: early.bytes + result.data.bytes },
    };
  } catch (err) {
    throw (await early.abort()) ?? err;
  }
}

/** Reports the scan to agentd, then sends the files agentd asks for as one tar stream. */
async function sendScanAndFiles(
  job: SyncOutJob,
  client: CallHomeClient,
  scan: WorkspaceScan,
  root: string,
  query: string,
): Promise<JobResult<SyncOutData> & { ok: true }> {
  const answer = await client.request({
    method: 'POST',
    path: `${OUTBOUND}${query}`,
    body: JSON.stringify(scan),
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  if (answer.status !== 200) throw refusal(answer.status, answer.body);
  if (answer.body.length > MAX_ANSWER_BYTES)
    throw new RunnerError('WORKSPACE_SYNC_FAILED', 'answer too large');
  const plan = JSON.parse(answer.body.toString('utf8')) as OutboundPlan;
  if (!Array.isArray(plan.need)) throw new RunnerError('WORKSPACE_SYNC_FAILED', 'agentd sent no plan');
  const byPath = new Map(scan.files.map((f) => [f.path, f]));
  let bytes = 0;
  if (plan.need.length > 0) {
    const upload = client.upload({ path: `${OUTBOUND_FILES}${query}`, contentType: 'application/x-tar' });
    // A refusal can arrive while we are still sending; keep it for the error message.
    const response = upload.response.then(
      (res) => ({ res }),
      (err: unknown) => ({ err }),
    );
    let sendError: unknown;
    try {
      const tar = new TarWriter(upload.request, MAX_BUFFERED_BYTES);
      const entries = plan.need.map((wanted) => {
        const entry = byPath.get(wanted);
        if (!entry) throw new RunnerError('WORKSPACE_SYNC_FAILED', `agentd asked for unknown path ${wanted}`);
        return entry;
      });
      // Small files are read a few ahead of the one being sent, so the socket never waits on a file's read.
      const ahead = new Map<number, Promise<Buffer>>();
      const readAhead = (from: number): void => {
        for (let i = from; i < Math.min(entries.length, from + READ_AHEAD); i++) {
          const entry = entries[i];
          if (entry && entry.size <= WHOLE_FILE_BYTES && !ahead.has(i)) {
            const reading = readWhole(root, entry.path);
            reading.catch(() => undefined);
            ahead.set(i, reading);
          }
        }
      };
      for (const [i, entry] of entries.entries()) {
        readAhead(i);
        const header = {
          path: entry.path,
          size: entry.size,
          mode: entry.executable ? 0o755 : 0o644,
          mtimeMs: entry.mtimeMs,
        };
        const whole = ahead.get(i);
        ahead.delete(i);
        if (whole) {
          await tar.file(header, [await whole]);
        } else {
          const handle = await openRegularFile(path.join(root, entry.path), entry.path);
          try {
            await tar.file(header, handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>);
          } finally {
            await handle.close();
          }
        }
        bytes += entry.size;
      }
      await tar.end();
      upload.request.end();
    } catch (err) {
      sendError = err;
      upload.request.destroy();
    }
    const outcome = await response;
    if ('err' in outcome) {
      throw new RunnerError(
        'WORKSPACE_SYNC_FAILED',
        `sending files failed: ${errorMessage(sendError ?? outcome.err)}`,
      );
    }
    if (outcome.res.statusCode !== 204) {
      throw refusal(outcome.res.statusCode ?? 0, await readBody(outcome.res, 64 * 1024));
    }
    outcome.res.resume();
    if (sendError !== undefined) throw new RunnerError('WORKSPACE_SYNC_FAILED', errorMessage(sendError));
  }
  return { jobId: job.jobId, ok: true, data: { files: scan.files.length, sent: plan.need.length, bytes } };
}

async function readWhole(root: string, relative: string): Promise<Buffer> {
  const handle = await openRegularFile(path.join(root, relative), relative);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
