import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdError } from '../../orchestrator/src/common/errors.js';
import { sse, textOf, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

describe('agent runs end to end (real engine, real runner image, scripted model)', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0' } });
    const tenant = await d.api('POST', '/api/tenants', { name: 'runs' });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function conversation(): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations`, { title: 't' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  function stream(conversationId: string, message: string) {
    return sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message },
      headers: { 'x-api-key': d.adminKey },
    });
  }

  it('streams a full run: text, tool calls, tool results, final and usage, in order', async () => {
    const id = await conversation();
    const prompt = [
      '@think I will write a file and read it back.',
      '@say Writing the file.',
      '@tool write_file {"path":"notes/hello.txt","content":"Hello from the sandbox"}',
      '@tool read_file {"path":"notes/hello.txt"}',
      '@say The file says:',
      '@result',
    ].join('\n');
    const res = await stream(id, prompt);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.done).toBe(true);
    const t = types(res);
    expect(t.slice(0, 2)).toEqual(['run_start', 'allocating']);
    expect(t.slice(-2)).toEqual(['final', 'usage']);
    const runId = res.events[0]?.data.runId;
    res.events.forEach((e, i) => {
      expect(e.data.seq).toBe(i + 1);
      expect(e.id).toBe(String(i + 1));
      expect(e.data.runId).toBe(runId);
      expect(Date.parse(String(e.data.timestamp))).toBeGreaterThan(0);
    });
    const calls = res.events.filter((e) => e.data.type === 'tool_call').map((e) => e.data.name);
    expect(calls).toEqual(['write_file', 'read_file']);
    const results = res.events.filter((e) => e.data.type === 'tool_result');
    expect(results.map((e) => e.data.isError)).toEqual([false, false]);
    expect(results[1]?.data.output).toContain('Hello from the sandbox');
    expect(res.events.some((e) => e.data.type === 'thinking')).toBe(true);
    expect(t.filter((x) => x === 'step_start')).toHaveLength(2);
    const final = res.events.at(-2)?.data;
    // The whole turn: the first step's preface and the last step's answer.
    expect(final?.content).toContain('Writing the file.');
    expect(final?.content).toContain('The file says:');
    expect(final?.content).toContain('Hello from the sandbox');
    const usage = res.events.at(-1)?.data;
    expect(usage).toMatchObject({ type: 'usage', steps: 2 });
    expect(Number(usage?.inputTokens)).toBeGreaterThan(0);
    expect(Number(usage?.outputTokens)).toBeGreaterThan(0);
    expect(textOf(res)).toContain('Writing the file.');

    // The stored run and messages agree with the stream.
    const run = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/runs/${String(runId)}`);
    expect(run.body).toMatchObject({ status: 'succeeded', steps: 2 });
    expect(run.body.inputTokens).toBe(usage?.inputTokens);
    const messages = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/messages`);
    expect(messages.body.items.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('runs each tool for real in the sandbox: bash, write_file, edit_file, read_file, list_files', async () => {
    const id = await conversation();
    const prompt = [
      '@tool bash {"command":"mkdir -p src && echo $((6*7)) > src/answer.txt && id -u && cat src/answer.txt"}',
      `@tool write_file ${JSON.stringify({ path: 'src/app.py', content: 'print("hello")\n' })}`,
      '@tool edit_file {"path":"src/app.py","oldText":"hello","newText":"edited"}',
      '@tool bash {"command":"python3 src/app.py"}',
      '@tool list_files {"path":"src","recursive":true}',
      '@tool read_file {"path":"../etc/passwd"}',
      '@tool bash {"command":"exit 3"}',
      '@say ok',
    ].join('\n');
    const res = await stream(id, prompt);
    const results = res.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data);
    expect(results).toHaveLength(7);
    expect(results[0]?.output).toMatch(/^1000\n42\n/);
    expect(results[0]?.isError).toBe(false);
    expect(results[2]?.isError).toBe(false);
    expect(results[3]?.output).toContain('edited');
    expect(results[4]?.output).toContain('answer.txt');
    expect(results[4]?.output).toContain('app.py');
    // Confined to /workspace, and a failing command is an error result, not a failed run.
    expect(results[5]?.isError).toBe(true);
    expect(results[6]?.isError).toBe(true);
    expect(results[6]?.output).toContain('[exit code 3]');
    expect(types(res).slice(-2)).toEqual(['final', 'usage']);
    // The files are really in the sandbox's /workspace.
    const record = await d.registry.findByConversation(tenantId, id);
    const cat = await d.docker.exec.run(record?.containerId ?? '', ['cat', '/workspace/src/app.py']);
    expect(cat.stdout).toBe('print("edited")\n');
  });

  it('keeps the conversation: the next run sees the history and the sandbox is reused', async () => {
    const id = await conversation();
    await stream(id, '@tool write_file {"path":"a.txt","content":"kept"}\n@say one');
    const first = await d.registry.findByConversation(tenantId, id);
    const second = await stream(id, '@tool read_file {"path":"a.txt"}\n@result');
    expect(second.events.at(-2)?.data.content).toContain('kept');
    const again = await d.registry.findByConversation(tenantId, id);
    expect(again?.id).toBe(first?.id);
    const messages = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/messages`);
    expect(messages.body.items).toHaveLength(8);
  });

  it('answers /query with the final text and usage', async () => {
    const id = await conversation();
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
      message: 'plain question',
    });
    expect(res.status).toBe(200);
    expect(res.body.final).toBe('You said: plain question\n');
    expect(res.body.runId).toMatch(/^run_/);
    expect(res.body.usage).toMatchObject({ type: 'usage', steps: 1 });
  });

  it('refuses a second run on a busy conversation with 409 CONVERSATION_BUSY', async () => {
    const id = await conversation();
    let firstEvent!: () => void;
    const started = new Promise<void>((resolve) => (firstEvent = resolve));
    const first = sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: '@sleep 1500\n@say slow' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: () => firstEvent(),
    });
    await started;
    const second = await stream(id, 'hello');
    expect(second.status).toBe(409);
    expect(second.error?.error.code).toBe('CONVERSATION_BUSY');
    expect((await first).done).toBe(true);
  });

  it('cancels a run mid-tool: the tool’s processes stop and the run ends RUN_CANCELLED', async () => {
    const id = await conversation();
    let runId = '';
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: '@tool bash {"command":"sleep 300 & sleep 301; echo never"}\n@say never' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: async (e) => {
        if (e.data.type === 'run_start') runId = String(e.data.runId);
        if (e.data.type === 'tool_call') {
          // Cancel once both sleeps run in the sandbox, so the cancel has a process group to kill.
          const record = await d.registry.findByConversation(tenantId, id);
          await expect
            .poll(async () => (await d.docker.containers.processes(record?.containerId ?? '')).join('\n'))
            .toMatch(/sleep 301/);
          const cancel = await d.api(
            'POST',
            `/api/tenants/${tenantId}/conversations/${id}/runs/${runId}/cancel`,
          );
          expect(cancel.status).toBe(202);
        }
      },
    });
    expect(res.done).toBe(true);
    const error = res.events.find((e) => e.data.type === 'error')?.data;
    expect(error).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(types(res).at(-1)).toBe('usage');
    expect(types(res)).not.toContain('final');
    const record = await d.registry.findByConversation(tenantId, id);
    const ps = await d.docker.exec.run(record?.containerId ?? '', ['ps', '-eo', 'comm']);
    expect(ps.stdout).not.toContain('sleep');
    const run = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/runs/${runId}`);
    expect(run.body).toMatchObject({ status: 'cancelled', errorCode: 'RUN_CANCELLED' });
    // The conversation takes a new run right away.
    expect((await stream(id, 'again')).done).toBe(true);
  });

  it('turns a model error mid-stream into an error event, still reporting usage', async () => {
    const id = await conversation();
    const res = await stream(id, '@say partial answer\n@error upstream exploded');
    expect(textOf(res)).toContain('partial');
    const error = res.events.find((e) => e.data.type === 'error')?.data;
    expect(error).toMatchObject({ code: 'MODEL_ERROR', severity: 'error' });
    expect(String(error?.message)).toContain('upstream exploded');
    expect(types(res).at(-1)).toBe('usage');
    const query = await d.api('POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
      message: '@error again',
    });
    // The query's headers (with X-Run-ID) went out when the run started: the outcome is in the body.
    expect(query.status).toBe(200);
    expect(query.body).toMatchObject({ status: 'failed', final: null, error: { code: 'MODEL_ERROR' } });
  });

  it('tells the runner why a turn could not be stored, instead of ending its model stream bare', async () => {
    const id = await conversation();
    const runs = d.store.runs;
    const append = runs.appendMessages.bind(runs);
    runs.appendMessages = async (runId, token, messages) => {
      if (messages.some((m) => m.role === 'assistant')) {
        runs.appendMessages = append;
        throw new AgentdError('DEPENDENCY_UNAVAILABLE', 'the database did not answer within 5000 ms');
      }
      return append(runId, token, messages);
    };
    try {
      const res = await stream(id, '@say stored?');
      const error = res.events.find((e) => e.data.type === 'error')?.data;
      expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect(String(error?.message)).toContain('did not answer');
      expect(types(res).at(-1)).toBe('usage');
    } finally {
      runs.appendMessages = append;
    }
    // The conversation is still usable.
    const next = await stream(id, '@say again');
    expect(textOf(next)).toContain('again');
  });

  it('enforces the step limit in the gateway', async () => {
    const tenant = await d.api('POST', '/api/tenants', { name: 'steps', policy: { maxStepsPerRun: 1 } });
    const conv = await d.api('POST', `/api/tenants/${tenant.body.id}/conversations`, {});
    const res = await sse(`${d.url}/api/tenants/${tenant.body.id}/conversations/${conv.body.id}/stream`, {
      body: { message: '@tool bash {"command":"true"}\n@say never' },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.events.find((e) => e.data.type === 'error')?.data.code).toBe('STEP_LIMIT');
    expect(res.events.at(-1)?.data).toMatchObject({ type: 'usage', steps: 1 });
  });

  it('cancels a run whose client disconnects (grace 0)', async () => {
    const id = await conversation();
    let runId = '';
    await sse(`${d.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
      body: { message: '@tool bash {"command":"sleep 60"}\n@say never' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: (e) => {
        if (e.data.type === 'run_start') runId = String(e.data.runId);
        return e.data.type === 'tool_call';
      },
    });
    await expect
      .poll(
        async () =>
          (await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/runs/${runId}`)).body.status,
        { timeout: 15_000 },
      )
      .toBe('cancelled');
  });
});
