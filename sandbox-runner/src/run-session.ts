import { runAgentLoop } from './agent-loop.js';
import type { CallHomeClient } from './call-home-client.js';
import { ControlPoller } from './control-poller.js';
import { caBundleEnv } from './egress/ca-bundle-env.js';
import { EgressProxy } from './egress/egress-proxy.js';
import { EventStream } from './event-stream.js';
import { log } from './log.js';
import { ModelClient } from './model-client.js';
import { startMcpStdio } from './mcp-stdio.js';
import type { JobResult, McpStdioJob, RunJob } from './protocol.js';
import { errorMessage, RunnerError } from './runner-error.js';
import { ToolRunner } from './tool-runner.js';
import { ProcessGroups } from './tools/process-groups.js';

export interface RunSessionOptions {
  client: CallHomeClient;
  workspaceRoot: string;
  toolEnv: Record<string, string>;
}

export interface RunJobData {
  steps: number;
}

/** agentd's limit on a job failure message. */
const MAX_FAILURE_MESSAGE = 4096;

/**
 * One run job: streams the run's events to agentd, watches for cancel, runs the agent loop, and says how it
 * went. The job succeeds when the run ended in order (with `final` or an `error` event agentd received).
 */
export class RunSession {
  readonly #abort = new AbortController();
  readonly #processGroups = new ProcessGroups();

  constructor(
    private readonly job: RunJob,
    private readonly options: RunSessionOptions,
  ) {
    // Background jobs of earlier bash calls die with a cancelled run, not just the one running now.
    this.#abort.signal.addEventListener('abort', () => this.#processGroups.killAll(), { once: true });
  }

  get runId(): string {
    return this.job.spec.runId;
  }

  /** Stops the run as agentd's cancel would (used at shutdown). */
  cancel(reason: string): void {
    this.#abort.abort(new RunnerError('RUN_CANCELLED', `the run was cancelled: ${reason}`));
  }

  /** Starts one of the run's stdio MCP servers (agentd asked for it), under the run's process groups. */
  startMcpStdio(job: McpStdioJob): Promise<JobResult> {
    return startMcpStdio(job, {
      client: this.options.client,
      workspaceRoot: this.options.workspaceRoot,
      env: this.options.toolEnv,
      processGroups: this.#processGroups,
    });
  }

  async run(): Promise<JobResult<RunJobData>> {
    const { spec, jobId } = this.job;
    const { client } = this.options;
    const events = EventStream.open(client, spec.runId, (failure) => this.#abort.abort(failure));
    const control = new ControlPoller(client, spec.runId, (signal) => this.cancel(signal.reason));
    control.start();
    let egress: EgressProxy | undefined;
    try {
      // The proxy lives as long as the run: egress is open only while a run is.
      if (spec.egress?.enabled) egress = await EgressProxy.start(client, spec.runId);
      const caBundle = spec.egress?.caBundle;
      const env = egress
        ? {
            ...this.options.toolEnv,
            ...egress.env(this.options.toolEnv),
            ...(caBundle !== undefined && /^[A-Za-z0-9._-]+$/.test(caBundle) ? caBundleEnv(caBundle) : {}),
          }
        : this.options.toolEnv;
      const outcome = await runAgentLoop(spec, {
        model: new ModelClient(client),
        tools: new ToolRunner({
          workspaceRoot: this.options.workspaceRoot,
          env,
          limits: spec.limits,
          processGroups: this.#processGroups,
          mcp: { client, runId: spec.runId },
        }),
        emit: (event) => events.send(event),
        signal: this.#abort.signal,
      });
      await events.close();
      if (outcome.errorCode === 'INTERNAL_ERROR') {
        return failed(jobId, 'INTERNAL_ERROR', 'the run ended with an internal runner error');
      }
      return { jobId, ok: true, data: { steps: outcome.steps } };
    } catch (err) {
      events.destroy();
      this.#abort.abort(err);
      log(`run ${spec.runId} lost its event stream`, err);
      return failed(jobId, err instanceof RunnerError ? err.code : 'INTERNAL_ERROR', errorMessage(err));
    } finally {
      await egress?.close();
      await control.stop();
    }
  }
}

function failed(jobId: string, code: string, message: string): JobResult<RunJobData> {
  return {
    jobId,
    ok: false,
    error: { code: code.slice(0, 64), message: message.slice(0, MAX_FAILURE_MESSAGE) },
  };
}
