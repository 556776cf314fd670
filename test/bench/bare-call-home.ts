import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http, { type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NextJobPath, PingJob } from '@agentd/sandbox-runner/protocol';

const NEXT_PATH: NextJobPath = '/v1/runner/next';

/**
 * The least a supervisor must do to keep a runner idle and talk to it: one Unix socket in a directory the
 * container mounts at /run/agentd, a long-poll held open and answered with 204 after `pollTimeoutMs` (as
 * agentd's call-home does), a ping job handed out on the held poll and its result read back. No registry,
 * leases, logging or metrics: benchmark baselines compare agentd with this.
 */
export class BareCallHome {
  /** Resolves at the runner's first long-poll: the same readiness agentd waits for ("called home"). */
  readonly polled: Promise<void>;
  #markPolled!: () => void;
  #held: ServerResponse | undefined;
  #heldTimer: NodeJS.Timeout | undefined;
  #queued: PingJob | undefined;
  readonly #results = new Map<string, () => void>();
  #seq = 0;

  private constructor(
    readonly dir: string,
    private readonly server: http.Server,
    private readonly pollTimeoutMs: number,
  ) {
    this.polled = new Promise((resolve) => (this.#markPolled = resolve));
    server.on('request', (req, res) => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url === NEXT_PATH) {
        this.#markPolled();
        this.#hold(res);
        return;
      }
      const result = /^\/v1\/jobs\/([^/]+)\/result$/.exec(url);
      if (req.method === 'POST' && result) {
        req.resume();
        req.on('end', () => {
          res.writeHead(204).end();
          const done = this.#results.get(decodeURIComponent(result[1] ?? ''));
          done?.();
        });
        return;
      }
      res.writeHead(404).end();
    });
  }

  /** Listens on `<fresh temp dir>/agentd.sock`, readable by the sandbox user as agentd's socket is. */
  static async open(pollTimeoutMs: number): Promise<BareCallHome> {
    const dir = await mkdtemp(path.join(tmpdir(), 'bch-'));
    await chmod(dir, 0o755);
    const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 });
    const socket = path.join(dir, 'agentd.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, resolve);
    });
    await chmod(socket, 0o666);
    return new BareCallHome(dir, server, pollTimeoutMs);
  }

  /** `polled`, or an error when the runner has not polled within `timeoutMs` (it crashed, or cannot connect). */
  async whenPolled(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no runner polled ${this.dir} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.polled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One ping job through the long-poll and its result back: the floor of any health check of a runner. */
  ping(): Promise<void> {
    const job: PingJob = { kind: 'ping', jobId: `p${++this.#seq}` };
    const answered = new Promise<void>((resolve) => this.#results.set(job.jobId, resolve));
    if (this.#held) this.#send(this.#held, job);
    else this.#queued = job;
    return answered.finally(() => this.#results.delete(job.jobId));
  }

  async close(): Promise<void> {
    clearTimeout(this.#heldTimer);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await rm(this.dir, { recursive: true, force: true });
  }

  #hold(res: ServerResponse): void {
    const job = this.#queued;
    if (job) {
      this.#queued = undefined;
      this.#send(res, job);
      return;
    }
    this.#held = res;
    res.on('close', () => {
      if (this.#held === res) this.#held = undefined;
    });
    this.#heldTimer = setTimeout(() => {
      this.#held = undefined;
      if (!res.writableEnded) res.writeHead(204).end();
    }, this.pollTimeoutMs);
  }

  #send(res: ServerResponse, job: PingJob): void {
    clearTimeout(this.#heldTimer);
    this.#held = undefined;
    const body = JSON.stringify(job);
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      .end(body);
  }
}
