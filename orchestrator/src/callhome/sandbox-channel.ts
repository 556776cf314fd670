import type { ServerResponse } from 'node:http';
import type { JobResult, RunnerJob } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';

interface PendingJob {
  resolve: (result: JobResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Job kinds that carry their own id, minus the id: the channel assigns it. */
export type JobRequest = RunnerJob extends infer J ? (J extends RunnerJob ? Omit<J, 'jobId'> : never) : never;

/**
 * agentd's side of one sandbox's call-home connection: a mailbox of jobs the runner collects by long-poll,
 * and the results it reports back. The socket a request arrives on identifies the sandbox.
 */
export class SandboxChannel {
  readonly sandboxId: string;
  readonly socketPath: string;
  /** Resolves at the runner's first poll: the sandbox is up and can reach agentd. */
  readonly connected: Promise<void>;
  #markConnected!: () => void;
  #isConnected = false;
  #lastSeenAt = 0;
  #runnerVersion: string | undefined;
  readonly #queue: RunnerJob[] = [];
  readonly #waiters: ServerResponse[] = [];
  readonly #pending = new Map<string, PendingJob>();
  #closed = false;

  constructor(sandboxId: string, socketPath: string) {
    this.sandboxId = sandboxId;
    this.socketPath = socketPath;
    this.connected = new Promise((resolve) => {
      this.#markConnected = resolve;
    });
  }

  get isConnected(): boolean {
    return this.#isConnected;
  }

  get lastSeenAt(): number {
    return this.#lastSeenAt;
  }

  /**
   * The runner holds a long-poll open right now: its job loop is waiting for work on a live connection (the
   * kernel ends the connection when the runner's process dies, and the poll is then dropped).
   */
  get holdsPoll(): boolean {
    return (
      !this.#closed &&
      this.#waiters.some((res) => !res.writableEnded && !res.destroyed && !res.socket?.destroyed)
    );
  }

  get runnerVersion(): string | undefined {
    return this.#runnerVersion;
  }

  /** Queues a job and resolves with the runner's result, or rejects after `timeoutMs`. */
  send(request: JobRequest, timeoutMs: number): Promise<JobResult> {
    if (this.#closed)
      return Promise.reject(new AgentdError('SANDBOX_LOST', `sandbox ${this.sandboxId} channel is closed`));
    const job: RunnerJob = { ...request, jobId: randomId(16) };
    return new Promise<JobResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(job.jobId);
        const index = this.#queue.indexOf(job);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(
          new AgentdError(
            'SANDBOX_LOST',
            `runner in sandbox ${this.sandboxId} did not answer ${job.kind} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(job.jobId, { resolve, reject, timer });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** A runner poll: answer with the next job now, or hold the response until one arrives or the poll times out. */
  poll(res: ServerResponse, pollTimeoutMs: number, runnerVersion: string | undefined): void {
    this.#touch(runnerVersion);
    this.#waiters.push(res);
    const timer = setTimeout(() => {
      this.#dropWaiter(res);
      if (!res.writableEnded) res.writeHead(204).end();
    }, pollTimeoutMs);
    res.on('close', () => {
      clearTimeout(timer);
      this.#dropWaiter(res);
    });
    this.#dispatch();
  }

  /** The runner reported a job's outcome; unknown or late job ids are ignored. */
  complete(result: JobResult, runnerVersion: string | undefined): boolean {
    this.#touch(runnerVersion);
    const pending = this.#pending.get(result.jobId);
    if (!pending) return false;
    this.#pending.delete(result.jobId);
    clearTimeout(pending.timer);
    pending.resolve(result);
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const res of this.#waiters.splice(0)) if (!res.writableEnded) res.writeHead(204).end();
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new AgentdError('SANDBOX_LOST', `sandbox ${this.sandboxId} went away`));
    }
    this.#pending.clear();
    this.#queue.length = 0;
  }

  #touch(runnerVersion: string | undefined): void {
    this.#lastSeenAt = Date.now();
    if (runnerVersion !== undefined) this.#runnerVersion = runnerVersion.slice(0, 64);
    if (!this.#isConnected) {
      this.#isConnected = true;
      this.#markConnected();
    }
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#waiters.length > 0) {
      const res = this.#waiters.shift();
      const job = this.#queue.shift();
      if (!res || !job) return;
      if (res.writableEnded || res.destroyed) {
        this.#queue.unshift(job);
        continue;
      }
      const body = JSON.stringify(job);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    }
  }

  #dropWaiter(res: ServerResponse): void {
    const index = this.#waiters.indexOf(res);
    if (index >= 0) this.#waiters.splice(index, 1);
  }
}
