import type { CallHomeClient, Upload } from '../call-home-client.js';
import type { EarlyHashPaxKey, WorkspaceFileEntry } from '../protocol.js';
import { readBody } from '../read-body.js';
import { errorMessage, RunnerError } from '../runner-error.js';
import { refusal } from './refusal.js';
import { TarWriter } from './tar-writer.js';

const HASH_KEY: EarlyHashPaxKey = 'agentd.sha256';

type Outcome = { status: number; body: Buffer } | { err: unknown };

/**
 * The early part of a sync-out: files the scan just read and hashed go to agentd in one tar while the scan
 * goes on, so agentd stores them meanwhile instead of after the plan. The request opens with the first file;
 * a scan that hashes nothing sends nothing. Writes are queued in order (the scan hashes several at once).
 */
export class EarlyUpload {
  sent = 0;
  bytes = 0;
  #upload: { tar: TarWriter; upload: Upload; outcome: Promise<Outcome> } | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: CallHomeClient,
    private readonly path: string,
    private readonly maxBuffered: number,
  ) {}

  /** Queues one file; resolves when it is written (backpressure for the scan), rejects when the upload broke. */
  send(entry: WorkspaceFileEntry, content: Buffer): Promise<void> {
    // A file that changed between its lstat and its read is left to the plan, which reports it as before.
    if (content.length !== entry.size) return Promise.resolve();
    const write = this.#queue.then(async () => {
      const { tar } = this.#open();
      await tar.file(
        {
          path: entry.path,
          size: entry.size,
          mode: entry.executable ? 0o755 : 0o644,
          mtimeMs: entry.mtimeMs,
          pax: { [HASH_KEY]: entry.sha256 },
        },
        [content],
      );
      this.sent += 1;
      this.bytes += entry.size;
    });
    this.#queue = write;
    return write;
  }

  /** Ends the tar once every queued file is written; agentd may still be storing them. */
  async end(): Promise<void> {
    await this.#queue;
    if (!this.#upload) return;
    await this.#upload.tar.end();
    this.#upload.upload.request.end();
  }

  /** Waits for agentd to have stored every file (204); call after `end`. */
  async stored(): Promise<void> {
    if (!this.#upload) return;
    const answer = await this.#upload.outcome;
    if ('err' in answer)
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `sending files failed: ${errorMessage(answer.err)}`);
    if (answer.status !== 204) throw refusal(answer.status, answer.body);
  }

  /** Stops the upload after a failure; returns agentd's refusal when it gave one (the better message). */
  async abort(): Promise<RunnerError | undefined> {
    if (!this.#upload) return undefined;
    this.#upload.upload.request.destroy();
    const answer = await this.#upload.outcome;
    return 'err' in answer || answer.status === 204 ? undefined : refusal(answer.status, answer.body);
  }

  #open(): { tar: TarWriter } {
    if (!this.#upload) {
      const upload = this.client.upload({ path: this.path, contentType: 'application/x-tar' });
      // A refusal can arrive while the scan still sends; it is kept for the error message.
      const outcome = upload.response.then(
        async (res): Promise<Outcome> => {
          const status = res.statusCode ?? 0;
          if (status === 204) {
            res.resume();
            return { status, body: Buffer.alloc(0) };
          }
          return { status, body: await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0)) };
        },
        (err: unknown): Outcome => ({ err }),
      );
      this.#upload = { tar: new TarWriter(upload.request, this.maxBuffered), upload, outcome };
    }
    return this.#upload;
  }
}
