import { setTimeout as sleep } from 'node:timers/promises';
import { readAuditData } from './audit-data.js';
import type { CallHomeClient } from './call-home-client.js';
import { log } from './log.js';
import {
  PROTOCOL_VERSION,
  type JobResult,
  type JobResultPathPrefix,
  type NextJobPath,
  type PongData,
  type RunJob,
  type RunnerJob,
  type SkillsSyncJob,
  type SyncInJob,
  type SyncOutJob,
} from './protocol.js';
import { errorMessage, RunnerError } from './runner-error.js';
import { RunSession } from './run-session.js';
import { syncSkills } from './skills/sync-skills.js';
import { syncIn } from './workspace/sync-in.js';
import { syncOut } from './workspace/sync-out.js';
import { WorkspaceScanner } from './workspace/workspace-scanner.js';

const NEXT_PATH: NextJobPath = '/v1/runner/next';
const JOB_RESULT_PREFIX: JobResultPathPrefix = '/v1/jobs/';
/** agentd holds a poll for up to ~25 s; give it room before calling the connection dead. */
const POLL_TIMEOUT_MS = 40_000;
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;

export interface JobLoopOptions {
  client: CallHomeClient;
  version: string;
  workspaceRoot: string;
  /** Where skills are delivered (a tmpfs); default /skills. */
  skillsRoot?: string;
  toolEnv: Record<string, string>;
}

/**
 * Collects jobs from agentd and answers them. A run goes on in the background while polling continues, so
 * agentd can ping a busy sandbox; one run at a time.
 */
export class JobLoop {
  readonly #startedAt = Date.now();
  #active: { session: RunSession; done: Promise<void> } | undefined;
  #syncing: { kind: string; done: Promise<void> } | undefined;
  readonly #scanner: WorkspaceScanner;

  constructor(private readonly options: JobLoopOptions) {
    this.#scanner = new WorkspaceScanner(options.workspaceRoot);
  }

  /** Resolves after a shutdown job was answered. */
  async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    for (;;) {
      let job: RunnerJob;
      try {
        const res = await this.options.client.request({
          method: 'GET',
          path: NEXT_PATH,
          timeoutMs: POLL_TIMEOUT_MS,
        });
        backoff = MIN_BACKOFF_MS;
        if (res.status === 204) continue;
        if (res.status !== 200) throw new Error(`unexpected status ${res.status} from ${NEXT_PATH}`);
        const parsed: unknown = JSON.parse(res.body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null)
          throw new Error(`${NEXT_PATH} answered no job object`);
        job = parsed as RunnerJob;
      } catch (err) {
        // agentd restarting or not listening yet: keep calling home, it re-creates the socket.
        log('poll failed', err);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (await this.#handle(job)) return;
    }
  }

  /** Returns true when the runner should exit. */
  async #handle(job: RunnerJob): Promise<boolean> {
    const kind = job.kind;
    switch (kind) {
      case 'ping': {
        const data: PongData = {
          protocolVersion: PROTOCOL_VERSION,
          runnerVersion: this.options.version,
          pid: process.pid,
          uptimeMs: Date.now() - this.#startedAt,
        };
        await this.#report({ jobId: job.jobId, ok: true, data });
        return false;
      }
      case 'run':
        await this.#startRun(job);
        return false;
      case 'audit':
        await this.#report({ jobId: job.jobId, ok: true, data: await readAuditData() });
        return false;
      case 'sync_in':
      case 'sync_out':
      case 'skills_sync':
        this.#startSync(job);
        return false;
      case 'mcp_stdio': {
        const session = this.#active?.session;
        // In the background, like a run: the server's channel stays open while polling goes on.
        if (session?.runId === job.runId)
          void session.startMcpStdio(job).then((result) => this.#report(result));
        else
          await this.#report({
            jobId: job.jobId,
            ok: false,
            error: { code: 'RUNNER_BUSY', message: `run ${job.runId} is not running here` },
          });
        return false;
      }
      case 'shutdown':
        if (this.#active) {
          this.#active.session.cancel(`the runner is shutting down (${job.reason})`);
          await this.#active.done;
        }
        await this.#syncing?.done;
        await this.#report({ jobId: job.jobId, ok: true, data: null });
        return true;
      default: {
        const unknown = job as { jobId?: unknown; kind?: unknown };
        await this.#report({
          jobId: String(unknown.jobId),
          ok: false,
          error: {
            code: 'UNSUPPORTED_JOB',
            message: `runner does not know job kind ${String(unknown.kind)}`,
          },
        });
        return false;
      }
    }
  }

  /** A workspace or skills sync runs in the background like a run, so agentd can still ping; never beside a run. */
  #startSync(job: SyncInJob | SyncOutJob | SkillsSyncJob): void {
    const busy = this.#active ? `run ${this.#active.session.runId}` : this.#syncing?.kind;
    if (busy !== undefined) {
      void this.#report({
        jobId: job.jobId,
        ok: false,
        error: { code: 'RUNNER_BUSY', message: `${busy} is still in progress` },
      });
      return;
    }
    const { client, workspaceRoot } = this.options;
    const work =
      job.kind === 'sync_in'
        ? syncIn(job, client, this.#scanner, workspaceRoot)
        : job.kind === 'sync_out'
          ? syncOut(job, client, this.#scanner, workspaceRoot)
          : syncSkills(job, client, this.options.skillsRoot ?? '/skills');
    const done = work
      .catch((err: unknown): JobResult => ({
        jobId: job.jobId,
        ok: false,
        error: {
          code: err instanceof RunnerError ? err.code : 'WORKSPACE_SYNC_FAILED',
          message: errorMessage(err).slice(0, 4096),
        },
      }))
      .then((result) => {
        this.#syncing = undefined;
        return this.#report(result);
      });
    this.#syncing = { kind: job.kind, done };
  }

  async #startRun(job: RunJob): Promise<void> {
    if (this.#syncing) {
      await this.#report({
        jobId: job.jobId,
        ok: false,
        error: { code: 'RUNNER_BUSY', message: `${this.#syncing.kind} is still in progress` },
      });
      return;
    }
    if (this.#active) {
      await this.#report({
        jobId: job.jobId,
        ok: false,
        error: { code: 'RUNNER_BUSY', message: `run ${this.#active.session.runId} is still in progress` },
      });
      return;
    }
    const problem = specProblem(job);
    if (problem !== undefined) {
      await this.#report({
        jobId: job.jobId,
        ok: false,
        error: { code: 'RUNNER_PROTOCOL_ERROR', message: problem },
      });
      return;
    }
    const session = new RunSession(job, this.options);
    const done = session.run().then(
      // The runner is free again before agentd hears the result, so its next run job is not refused as busy.
      (result) => {
        this.#active = undefined;
        return this.#report(result);
      },
      (err: unknown) => {
        this.#active = undefined;
        log(`run ${job.spec.runId} failed`, err);
      },
    );
    this.#active = { session, done };
  }

  async #report(result: JobResult): Promise<void> {
    try {
      const res = await this.options.client.postJson(
        `${JOB_RESULT_PREFIX}${encodeURIComponent(result.jobId)}/result`,
        result,
      );
      if (res.status >= 300) log(`agentd refused the result of job ${result.jobId} (${res.status})`);
    } catch (err) {
      log('cannot report job result', err);
    }
  }
}

/** agentd is trusted to send a well-formed spec; this only turns a broken one into a clear job failure. */
function specProblem(job: RunJob): string | undefined {
  const spec: unknown = job.spec;
  if (typeof spec !== 'object' || spec === null) return 'run job has no spec';
  const { runId, history, message, limits } = spec as Record<string, unknown>;
  if (typeof runId !== 'string' || runId === '') return 'spec.runId must be a non-empty string';
  if (!Array.isArray(history)) return 'spec.history must be an array';
  if (typeof message !== 'string') return 'spec.message must be a string';
  if (typeof limits !== 'object' || limits === null) return 'spec.limits is missing';
  for (const key of ['maxSteps', 'toolTimeoutMs', 'maxToolTimeoutMs', 'toolOutputBytes']) {
    const value = (limits as Record<string, unknown>)[key];
    if (typeof value !== 'number' || !(value > 0)) return `spec.limits.${key} must be a positive number`;
  }
  return undefined;
}
