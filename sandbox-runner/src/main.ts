import { setTimeout as sleep } from 'node:timers/promises';
import { CallHomeClient } from './call-home-client.js';
import { loadRunnerConfig } from './config.js';
import {
  PROTOCOL_VERSION,
  type JobResult,
  type NextJobPath,
  type PongData,
  type RunnerJob,
} from './protocol.js';

const NEXT_PATH: NextJobPath = '/v1/runner/next';
/** agentd holds a poll for up to ~25 s; give it room before calling the connection dead. */
const POLL_TIMEOUT_MS = 40_000;
const MAX_BACKOFF_MS = 2_000;
const startedAt = Date.now();

async function main(): Promise<void> {
  const config = loadRunnerConfig();
  const client = new CallHomeClient(config.socketPath, config.version);
  let backoff = 50;
  for (;;) {
    let job: RunnerJob | undefined;
    try {
      const res = await client.request({ method: 'GET', path: NEXT_PATH, timeoutMs: POLL_TIMEOUT_MS });
      backoff = 50;
      if (res.status === 204) continue;
      if (res.status !== 200) throw new Error(`unexpected status ${res.status} from ${NEXT_PATH}`);
      job = JSON.parse(res.body.toString('utf8')) as RunnerJob;
    } catch (err) {
      // agentd restarting or not listening yet: keep calling home, it re-creates the socket.
      log('poll failed', err);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      continue;
    }
    const done = await handle(job, client, config.version);
    if (done) break;
  }
  client.close();
}

/** Returns true when the runner should exit. */
async function handle(job: RunnerJob, client: CallHomeClient, version: string): Promise<boolean> {
  const kind = job.kind;
  switch (kind) {
    case 'ping': {
      const data: PongData = {
        protocolVersion: PROTOCOL_VERSION,
        runnerVersion: version,
        pid: process.pid,
        uptimeMs: Date.now() - startedAt,
      };
      await report(client, { jobId: job.jobId, ok: true, data });
      return false;
    }
    case 'shutdown':
      await report(client, { jobId: job.jobId, ok: true, data: null });
      return true;
    default: {
      const unknown = job as { jobId?: string; kind?: string };
      await report(client, {
        jobId: String(unknown.jobId),
        ok: false,
        error: { code: 'UNSUPPORTED_JOB', message: `runner does not know job kind ${String(unknown.kind)}` },
      });
      return false;
    }
  }
}

async function report(client: CallHomeClient, result: JobResult): Promise<void> {
  try {
    await client.postJson(`/v1/jobs/${encodeURIComponent(result.jobId)}/result`, result);
  } catch (err) {
    log('cannot report job result', err);
  }
}

function log(message: string, err?: unknown): void {
  const detail = err instanceof Error ? `: ${err.message}` : '';
  process.stderr.write(`agentd-runner: ${message}${detail}\n`);
}

process.on('SIGTERM', () => process.exit(0));
main().catch((err: unknown) => {
  log('fatal', err);
  process.exit(1);
});
