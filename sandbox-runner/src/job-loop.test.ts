import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeClient } from './call-home-client.js';
import { loadRunnerConfig } from './config.js';
import { JobLoop } from './job-loop.js';
import type {
  ConverseStreamRequest,
  JobResult,
  ModelStreamChunk,
  RunJob,
  RunLimits,
  RunnerEvent,
  RunnerJob,
} from './protocol.js';

const LIMITS: RunLimits = {
  maxSteps: 5,
  toolTimeoutMs: 10_000,
  maxToolTimeoutMs: 60_000,
  toolOutputBytes: 8192,
};

type ModelScript = (
  request: ConverseStreamRequest,
  call: number,
) => ModelStreamChunk[] | { status: number; body: unknown };

/** A stand-in for agentd's side of the call-home socket: jobs, events, control, model gateway, job results. */
class FakeAgentd {
  readonly server = http.createServer();
  readonly jobs: RunnerJob[] = [];
  readonly results = new Map<string, JobResult>();
  readonly events = new Map<string, RunnerEvent[]>();
  readonly converseRequests: ConverseStreamRequest[] = [];
  readonly cancels = new Map<string, string>();
  /** When set, the events request is answered with this status as soon as it arrives. */
  rejectEventsWith: number | undefined;
  script: ModelScript = () => [{ type: 'stop', stopReason: 'end_turn' }];
  readonly #streamsEnded = new Map<string, Promise<void>>();
  readonly #endStream = new Map<string, () => void>();

  constructor(readonly socketPath: string) {
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.#handle(req, res);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.socketPath, resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  push(job: RunnerJob): void {
    this.jobs.push(job);
  }

  runJob(runId: string, message: string, extra: Partial<RunJob['spec']> = {}): RunJob {
    const job: RunJob = {
      kind: 'run',
      jobId: `job-${runId}`,
      spec: { runId, history: [], message, limits: LIMITS, ...extra },
    };
    this.push(job);
    return job;
  }

  async result(jobId: string, withinMs = 8_000): Promise<JobResult> {
    return waitFor(() => this.results.get(jobId), withinMs, `job result ${jobId}`);
  }

  /** Resolves when the run's event stream request body has ended. */
  streamEnded(runId: string): Promise<void> {
    let ended = this.#streamsEnded.get(runId);
    if (!ended) {
      ended = new Promise((resolve) => this.#endStream.set(runId, resolve));
      this.#streamsEnded.set(runId, ended);
    }
    return ended;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    let match: RegExpExecArray | null;
    if (req.method === 'GET' && url === '/v1/runner/next') {
      const job = await waitFor(() => this.jobs.shift(), 100).catch(() => undefined);
      if (job) json(res, 200, job);
      else res.writeHead(204).end();
    } else if (req.method === 'POST' && (match = /^\/v1\/jobs\/([^/]+)\/result$/.exec(url))) {
      const result = JSON.parse((await body(req)).toString('utf8')) as JobResult;
      expect(result.jobId).toBe(decodeURIComponent(match[1]!));
      this.results.set(result.jobId, result);
      res.writeHead(204).end();
    } else if (req.method === 'POST' && (match = /^\/v1\/runs\/([^/]+)\/events$/.exec(url))) {
      await this.#events(match[1]!, req, res);
    } else if (req.method === 'GET' && (match = /^\/v1\/runs\/([^/]+)\/control$/.exec(url))) {
      const runId = match[1]!;
      const reason = await waitFor(() => this.cancels.get(runId), 100).catch(() => undefined);
      if (reason === undefined) res.writeHead(204).end();
      else json(res, 200, { signal: 'cancel', reason });
    } else if (req.method === 'POST' && url === '/v1/model/converse-stream') {
      const request = JSON.parse((await body(req)).toString('utf8')) as ConverseStreamRequest;
      this.converseRequests.push(request);
      const answer = this.script(request, this.converseRequests.length);
      if (!Array.isArray(answer)) {
        json(res, answer.status, answer.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const chunk of answer) res.write(`${JSON.stringify(chunk)}\n`);
      res.end();
    } else {
      json(res, 404, { error: { code: 'NOT_FOUND', message: url } });
    }
  }

  async #events(runId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    expect(req.headers['content-type']).toBe('text/event-stream');
    expect(req.headers['transfer-encoding']).toBe('chunked');
    void this.streamEnded(runId);
    const received: RunnerEvent[] = [];
    this.events.set(runId, received);
    if (this.rejectEventsWith !== undefined) {
      json(res, this.rejectEventsWith, { error: { code: 'RUNNER_PROTOCOL_ERROR', message: 'no such run' } });
      req.resume();
      req.on('close', () => this.#endStream.get(runId)?.());
      return;
    }
    let buffer = '';
    for await (const chunk of req as AsyncIterable<Buffer>) {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        expect(message.startsWith('data: ')).toBe(true);
        expect(message).not.toContain('\n');
        received.push(JSON.parse(message.slice('data: '.length)) as RunnerEvent);
      }
    }
    expect(buffer).toBe('');
    res.writeHead(204).end();
    this.#endStream.get(runId)?.();
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function waitFor<T>(
  get: () => T | undefined | Promise<T | undefined>,
  withinMs: number,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Gone, or a zombie no one reaped (PID 1 in some test machines does not reap). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.charAt(text.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** Events without the one field whose value depends on timing. */
function stable(events: RunnerEvent[] | undefined): unknown[] {
  return (events ?? []).map((event) =>
    event.type === 'step_complete' ? { ...event, durationMs: expect.any(Number) as unknown } : event,
  );
}

describe('runner job loop against a fake agentd', () => {
  let dir: string;
  let workspace: string;
  let agentd: FakeAgentd;
  let client: CallHomeClient;
  let loop: Promise<void>;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'agentd-')));
    workspace = await realpath(await mkdtemp(path.join(tmpdir(), 'workspace-')));
    agentd = new FakeAgentd(path.join(dir, 'agentd.sock'));
    await agentd.listen();
    client = new CallHomeClient(agentd.socketPath, '1.2.3-test');
    const { toolEnv } = loadRunnerConfig();
    loop = new JobLoop({ client, version: '1.2.3-test', workspaceRoot: workspace, toolEnv }).run();
  });

  afterEach(async () => {
    agentd.push({ kind: 'shutdown', jobId: 'bye', reason: 'test over' });
    await loop;
    expect(agentd.results.get('bye')).toEqual({ jobId: 'bye', ok: true, data: null });
    client.close();
    await agentd.close();
    await rm(dir, { recursive: true, force: true });
    await rm(workspace, { recursive: true, force: true });
  });

  it('runs a tool turn, ends with a final answer, and sends the whole conversation', async () => {
    agentd.script = (_request, call) =>
      call === 1
        ? [
            { type: 'thinking', delta: 'Let me ' },
            { type: 'thinking', delta: 'check.' },
            { type: 'text', delta: 'Looking' },
            { type: 'text', delta: ' around.' },
            { type: 'tool_use', toolUseId: 'tu-1', name: 'bash', input: { command: 'echo hi' } },
            {
              type: 'tool_use',
              toolUseId: 'tu-2',
              name: 'write_file',
              input: { path: 'notes/a.txt', content: 'abc' },
            },
            { type: 'tool_use', toolUseId: 'tu-3', name: 'read_file', input: { path: 42 } },
            { type: 'stop', stopReason: 'tool_use' },
          ]
        : [
            { type: 'text', delta: 'All ' },
            { type: 'text', delta: 'done.' },
            { type: 'stop', stopReason: 'end_turn' },
          ];
    const history = [
      { role: 'user' as const, content: [{ text: 'earlier question' }] },
      { role: 'assistant' as const, content: [{ text: 'earlier answer' }] },
    ];
    agentd.runJob('run1', 'do the thing', { history });

    expect(await agentd.result('job-run1')).toEqual({ jobId: 'job-run1', ok: true, data: { steps: 2 } });
    const badInput = 'read_file: invalid input: "path" must be a string';
    // The model's own events (step start, text, thinking, tool calls) are agentd's to emit, not the runner's.
    expect(stable(agentd.events.get('run1'))).toEqual([
      { type: 'tool_result', id: 'tu-1', output: 'hi\n[exit code 0]', isError: false, truncated: false },
      {
        type: 'tool_result',
        id: 'tu-2',
        output: 'wrote 3 bytes to notes/a.txt',
        isError: false,
        truncated: false,
      },
      { type: 'tool_result', id: 'tu-3', output: badInput, isError: true, truncated: false },
      { type: 'step_complete', step: 1, durationMs: expect.any(Number) },
      { type: 'step_complete', step: 2, durationMs: expect.any(Number) },
      { type: 'final', content: 'All done.' },
    ]);
    expect(await readFile(path.join(workspace, 'notes', 'a.txt'), 'utf8')).toBe('abc');

    expect(agentd.converseRequests).toHaveLength(2);
    expect(agentd.converseRequests[0]).toEqual({
      runId: 'run1',
      messages: [...history, { role: 'user', content: [{ text: 'do the thing' }] }],
    });
    expect(agentd.converseRequests[1]).toEqual({
      runId: 'run1',
      messages: [
        ...history,
        { role: 'user', content: [{ text: 'do the thing' }] },
        {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Let me check.' } } },
            { text: 'Looking around.' },
            { toolUse: { toolUseId: 'tu-1', name: 'bash', input: { command: 'echo hi' } } },
            {
              toolUse: {
                toolUseId: 'tu-2',
                name: 'write_file',
                input: { path: 'notes/a.txt', content: 'abc' },
              },
            },
            { toolUse: { toolUseId: 'tu-3', name: 'read_file', input: { path: 42 } } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              toolResult: { toolUseId: 'tu-1', content: [{ text: 'hi\n[exit code 0]' }], status: 'success' },
            },
            {
              toolResult: {
                toolUseId: 'tu-2',
                content: [{ text: 'wrote 3 bytes to notes/a.txt' }],
                status: 'success',
              },
            },
            { toolResult: { toolUseId: 'tu-3', content: [{ text: badInput }], status: 'error' } },
          ],
        },
      ],
    });
  });

  it('answers an unknown tool with an error result and no tool_call event', async () => {
    agentd.script = (_request, call) =>
      call === 1
        ? [
            { type: 'tool_use', toolUseId: 'tu-x', name: 'launch_missiles', input: {} },
            { type: 'stop', stopReason: 'tool_use' },
          ]
        : [{ type: 'stop', stopReason: 'end_turn' }];
    agentd.runJob('run-unknown', 'go');
    expect(await agentd.result('job-run-unknown')).toMatchObject({ ok: true });
    const events = agentd.events.get('run-unknown') ?? [];
    expect(events.filter((e) => e.type === 'tool_call')).toEqual([]);
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({
      id: 'tu-x',
      isError: true,
      output: expect.stringContaining('unknown tool "launch_missiles"'),
    });
    expect(events.at(-1)).toEqual({ type: 'final', content: '' });
  });

  it('cancels mid-bash: kills the process group and ends with RUN_CANCELLED', async () => {
    agentd.script = () => [
      {
        type: 'tool_use',
        toolUseId: 'tu-1',
        name: 'bash',
        input: { command: 'sleep 30 & echo $! > sleep.pid; wait' },
      },
      { type: 'stop', stopReason: 'tool_use' },
    ];
    agentd.runJob('run-cancel', 'sleep a while');
    const pidFile = path.join(workspace, 'sleep.pid');
    const pidText = await waitFor(
      () =>
        readFile(pidFile, 'utf8').then(
          (text) => text.trim() || undefined,
          () => undefined,
        ),
      5_000,
      'sleep.pid',
    );
    const pid = Number(pidText);
    expect(await isAlive(pid)).toBe(true);

    const cancelledAt = Date.now();
    agentd.cancels.set('run-cancel', 'user pressed stop');
    await agentd.streamEnded('run-cancel');
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect(await isAlive(pid)).toBe(false);

    const events = agentd.events.get('run-cancel') ?? [];
    expect(events.slice(-2)).toEqual([
      {
        type: 'tool_result',
        id: 'tu-1',
        output: '[cancelled; process group killed]',
        isError: true,
        truncated: false,
      },
      {
        type: 'error',
        code: 'RUN_CANCELLED',
        message: 'the run was cancelled: user pressed stop',
        severity: 'error',
        recoverable: false,
      },
    ]);
    expect(await agentd.result('job-run-cancel')).toEqual({
      jobId: 'job-run-cancel',
      ok: true,
      data: { steps: 1 },
    });
    expect(agentd.converseRequests).toHaveLength(1);
  });

  it('ends the run with the code of an error chunk from the gateway', async () => {
    agentd.script = () => [
      { type: 'text', delta: 'partial' },
      { type: 'error', code: 'MODEL_ERROR', message: 'throttled by the provider' },
    ];
    agentd.runJob('run-err', 'hello');
    expect(await agentd.result('job-run-err')).toEqual({
      jobId: 'job-run-err',
      ok: true,
      data: { steps: 1 },
    });
    expect(agentd.events.get('run-err')).toEqual([
      {
        type: 'error',
        code: 'MODEL_ERROR',
        message: 'throttled by the provider',
        severity: 'error',
        recoverable: false,
      },
    ]);
  });

  it('turns a refused model call into an error event with the code agentd gave', async () => {
    agentd.script = () => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no active run' } } });
    agentd.runJob('run-404', 'hello');
    await agentd.result('job-run-404');
    expect(agentd.events.get('run-404')?.at(-1)).toEqual({
      type: 'error',
      code: 'NOT_FOUND',
      message: 'model gateway answered 404: no active run',
      severity: 'error',
      recoverable: false,
    });
  });

  it('stops at maxSteps even if the gateway would go on', async () => {
    agentd.script = (_request, call) => [
      { type: 'tool_use', toolUseId: `tu-${call}`, name: 'list_files', input: {} },
      { type: 'stop', stopReason: 'tool_use' },
    ];
    agentd.runJob('run-steps', 'loop forever', { limits: { ...LIMITS, maxSteps: 2 } });
    expect(await agentd.result('job-run-steps')).toMatchObject({ ok: true, data: { steps: 2 } });
    expect(agentd.converseRequests).toHaveLength(2);
    const events = agentd.events.get('run-steps') ?? [];
    expect(events.at(-2)).toMatchObject({ type: 'step_complete', step: 2 });
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'STEP_LIMIT' });
  });

  it('answers pings while a run is in progress and refuses a second run', async () => {
    const gate = path.join(workspace, 'gate');
    agentd.script = (_request, call) =>
      call === 1
        ? [
            {
              type: 'tool_use',
              toolUseId: 'tu-1',
              name: 'bash',
              input: { command: `while [ ! -e ${gate} ]; do sleep 0.05; done; echo through` },
            },
            { type: 'stop', stopReason: 'tool_use' },
          ]
        : [
            { type: 'text', delta: 'ok' },
            { type: 'stop', stopReason: 'end_turn' },
          ];
    agentd.runJob('run-busy', 'wait for the gate');
    await waitFor(() => agentd.converseRequests.length > 0 || undefined, 5_000, 'the model call');

    agentd.push({ kind: 'ping', jobId: 'ping-1' });
    expect(await agentd.result('ping-1', 2_000)).toMatchObject({
      ok: true,
      data: { protocolVersion: 1, runnerVersion: '1.2.3-test', pid: process.pid },
    });
    agentd.runJob('run-second', 'me too');
    expect(await agentd.result('job-run-second', 2_000)).toMatchObject({
      ok: false,
      error: { code: 'RUNNER_BUSY' },
    });
    expect(agentd.results.has('job-run-busy')).toBe(false);

    await writeFile(gate, '');
    expect(await agentd.result('job-run-busy')).toEqual({
      jobId: 'job-run-busy',
      ok: true,
      data: { steps: 2 },
    });
    expect(agentd.events.get('run-busy')?.at(-1)).toEqual({ type: 'final', content: 'ok' });
  });

  it('stops the run and fails the job when agentd refuses the event stream', async () => {
    agentd.rejectEventsWith = 400;
    agentd.script = () => [
      { type: 'tool_use', toolUseId: 'tu-1', name: 'bash', input: { command: 'sleep 30' } },
      { type: 'stop', stopReason: 'tool_use' },
    ];
    agentd.runJob('run-refused', 'hello');
    expect(await agentd.result('job-run-refused', 5_000)).toMatchObject({
      ok: false,
      error: {
        code: 'RUNNER_PROTOCOL_ERROR',
        message: expect.stringContaining('refused the event stream (400)'),
      },
    });
  });
});
