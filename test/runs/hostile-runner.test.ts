import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostileImage, HOSTILE_IMAGE } from '../support/hostile-image.js';
import { sse, textOf, types, withoutCpuThrottle } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

describe('a hostile runner cannot hurt agentd', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    await buildHostileImage();
    d = await startTestDaemon({
      env: {
        AGENTD_RUNNER_IMAGE: HOSTILE_IMAGE,
        AGENTD_CANCEL_GRACE: '1s',
        AGENTD_DISCONNECT_GRACE: '30s',
        AGENTD_RUNNER_MAX_EVENT_BYTES: String(1024 * 1024),
      },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'hostile', policy: { runTimeoutMs: 4000 } })).body
      .id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function hostileRun(mode: string) {
    const conversation = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversation}/stream`, {
      body: { message: `hostile:${mode}` },
      headers: { 'x-api-key': d.adminKey },
    });
    const runId = String(res.events[0]?.data.runId);
    const run = (await d.api('GET', `/api/tenants/${tenantId}/conversations/${conversation}/runs/${runId}`))
      .body;
    return { res, run, error: res.events.find((e) => e.data.type === 'error')?.data };
  }

  it.each([
    ['oversized', /exceeds/],
    ['garbage', /unknown event stream field/],
    ['invalid-json', /not JSON/],
    ['bad-schema', /invalid runner event/],
    ['no-final', /without a final or error event/],
    ['flood', /flood|more than/],
    ['forge-final', /final answer the model never gave/],
  ])('ends the run cleanly when the runner sends %s', async (mode, message) => {
    const { res, run, error } = await hostileRun(mode);
    expect(res.done).toBe(true);
    expect(error).toMatchObject({ code: 'RUNNER_PROTOCOL_ERROR' });
    expect(String(error?.message)).toMatch(message);
    expect(res.events.at(-1)?.data.type).toBe('usage');
    expect(run).toMatchObject({ status: 'failed', errorCode: 'RUNNER_PROTOCOL_ERROR' });
    // A sandbox whose runner broke the protocol is not kept.
    await expect
      .poll(async () => (await d.sandboxes.list()).filter((s) => s.state === 'idle').length)
      .toBe(0);
  });

  it('ignores a runner’s own copies of the model’s events: not relayed, not counted against its limits', async () => {
    // 50000 events at full speed: far over the runner's burst (10000) and rate (2000/s) had they counted.
    const { res, run, error } = await hostileRun('echo-text');
    expect(error).toBeUndefined();
    expect(res.done).toBe(true);
    expect(run).toMatchObject({ status: 'succeeded' });
    // Pumping 50,000 events can use the sandbox's whole CPU quota (its GC threads beside its main one): the
    // cgroup is then throttled, and agentd says so, truthfully, whenever its watch reads the cgroup during the
    // run. That depends on the host's speed, not on the relay; any other warning would be a finding.
    const relayed = withoutCpuThrottle(res);
    expect(types(relayed)).toEqual(['run_start', 'allocating', 'step_start', 'text', 'final', 'usage']);
    expect(res.events[2]?.data.step).toBe(1);
    expect(textOf(res)).toBe('You said: hostile:echo-text\n');
    expect(JSON.stringify(res.events)).not.toMatch(/runner-(says|thinks|calls)|tu-runner/);
  });

  it('orders a step after the previous step’s end even when the runner’s next model call arrives first', async () => {
    const { res, run } = await hostileRun('late-step-end\n@tool bash {"command":"true"}\nok');
    expect(run.status).toBe('succeeded');
    const order = res.events
      .map((e) => e.data)
      .filter((e) => ['step_start', 'tool_result', 'step_complete'].includes(e.type))
      .map((e) => `${e.type}${'step' in e ? `:${String(e.step)}` : ''}`);
    expect(order).toEqual([
      'step_start:1',
      'tool_result',
      'step_complete:1',
      'step_start:2',
      'step_complete:2',
    ]);
  });

  it('times out a runner that stalls and ignores the cancel signal, killing its sandbox', async () => {
    const { res, run, error } = await hostileRun('stall');
    expect(error).toMatchObject({ code: 'RUN_TIMEOUT' });
    expect(res.done).toBe(true);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'RUN_TIMEOUT' });
    expect(d.remover.history().some((r) => r.reason === 'run_aborted')).toBe(true);
  });

  it('refuses events for a run that does not exist', async () => {
    const { error } = await hostileRun('other-run');
    // The foreign post got 404; the real run then times out, since this runner never reports.
    expect(error?.code).toBe('RUN_TIMEOUT');
  });

  it('refuses a sandbox that speaks for another sandbox’s active run: its events and its model budget', async () => {
    const victimTenant = (await d.api('POST', '/api/tenants', { name: 'victim' })).body.id as string;
    const victimConversation = (await d.api('POST', `/api/tenants/${victimTenant}/conversations`, {})).body
      .id as string;
    const base = `/api/tenants/${victimTenant}/conversations/${victimConversation}`;
    let victimRunId = '';
    let started!: () => void;
    const victimStarted = new Promise<void>((resolve) => (started = resolve));
    const victimStream = sse(`${d.url}${base}/stream`, {
      body: { message: 'hostile:victim' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: (e) => {
        if (e.data.type === 'run_start') {
          victimRunId = String(e.data.runId);
          started();
        }
      },
    });
    await victimStarted;
    const victimBefore = (await d.api('GET', `${base}/runs/${victimRunId}`)).body;
    expect(victimBefore.status).toBe('running');
    // run_start comes before the sandbox is ready: wait until the victim's turn is stored (its user message).
    await expect
      .poll(async () => (await d.api('GET', `${base}/messages`)).body.items.length)
      .toBeGreaterThanOrEqual(1);
    const messagesBefore = (await d.api('GET', `${base}/messages`)).body;

    // The attacker sends as many messages as the victim's conversation holds, so only ownership can refuse it.
    const { error, run } = await hostileRun(`attack-run ${victimRunId} ${messagesBefore.items.length}`);
    expect(run.sandboxId).not.toBe(victimBefore.sandboxId);
    expect(error?.message).toBe('attack answers model=404:NOT_FOUND events=404');

    const victimAfter = (await d.api('GET', `${base}/runs/${victimRunId}`)).body;
    expect(victimAfter).toMatchObject({ status: 'running', steps: 0, inputTokens: 0, outputTokens: 0 });
    expect((await d.api('GET', `${base}/messages`)).body).toEqual(messagesBefore);
    expect((await d.api('POST', `${base}/runs/${victimRunId}/cancel`, {})).status).toBe(202);
    const victim = await victimStream;
    expect(victim.done).toBe(true);
    expect(victim.events.map((e) => e.data.type)).toEqual(['run_start', 'allocating', 'error', 'usage']);
    expect(victim.events[2]?.data).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(JSON.stringify(victim.events)).not.toContain('pwned');
    expect((await d.api('GET', `${base}/runs/${victimRunId}`)).body).toMatchObject({
      status: 'cancelled',
      steps: 0,
      inputTokens: 0,
    });
  });

  it('stays healthy afterwards', async () => {
    const health = await d.api('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect((await d.api('GET', '/api/tenants')).status).toBe(200);
  });
});
