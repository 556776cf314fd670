import { describe, expect, it } from 'vitest';
import type { SandboxClaim, SandboxLease } from '../sandbox/sandbox-lease.js';
import type { SandboxRecord } from '../sandbox/sandbox-record.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';
import { ActiveRun, RUN_TRANSITIONS, type RunPhase } from './active-run.js';

function newRun(maxSteps = 2, ready?: Promise<SandboxLease>): ActiveRun {
  const record = { id: 'sbx1' } as SandboxRecord;
  const sandbox: SandboxClaim = {
    source: 'cold',
    record,
    ready: ready ?? Promise.resolve({ record, source: 'cold' } as SandboxLease),
  };
  return new ActiveRun({
    id: 'run_test',
    tenant: { id: 't1' } as Tenant,
    conversation: { id: 'c1' } as Conversation,
    model: { id: 'm1' } as Model,
    lock: { key: 'k', lost: new AbortController().signal, release: () => Promise.resolve() },
    sandbox,
    fencingToken: 1n,
    limits: { maxSteps, toolTimeoutMs: 1, maxToolTimeoutMs: 1, toolOutputBytes: 1 },
  });
}

/** Drives a fresh run into `phase` through legal moves only. */
function runIn(phase: RunPhase): ActiveRun {
  const run = newRun();
  if (phase === 'preparing') return run;
  if (phase === 'running') run.handToRunner(new Promise(() => undefined));
  if (phase === 'stopping') run.stop({ kind: 'cancelled', code: 'RUN_CANCELLED', message: 'x' });
  if (phase === 'finishing' || phase === 'ended') run.finish();
  if (phase === 'ended') run.end();
  return run;
}

const move: Record<RunPhase, (run: ActiveRun) => unknown> = {
  preparing: () => {
    throw new Error('no move leads back to preparing');
  },
  running: (run) => run.handToRunner(Promise.resolve()),
  stopping: (run) => run.stop({ kind: 'cancelled', code: 'RUN_CANCELLED', message: 'x' }),
  finishing: (run) => run.finish(),
  ended: (run) => run.end(),
};

/** The documented lifecycle, written out independently of the table it checks. */
const LEGAL = new Set([
  'preparing>running',
  'preparing>stopping',
  'preparing>finishing',
  'running>stopping',
  'running>finishing',
  'stopping>finishing',
  'finishing>ended',
]);

describe('ActiveRun', () => {
  const phases: RunPhase[] = ['preparing', 'running', 'stopping', 'finishing', 'ended'];
  it('writes the legal moves down once', () => {
    const table = phases.flatMap((from) => RUN_TRANSITIONS[from].map((to) => `${from}>${to}`));
    expect(new Set(table)).toEqual(LEGAL);
  });
  for (const from of phases) {
    for (const to of phases.filter((p) => p !== 'preparing')) {
      const legal = LEGAL.has(`${from}>${to}`);
      it(`${legal ? 'allows' : 'refuses'} ${from} -> ${to}`, () => {
        const run = runIn(from);
        expect(run.phase).toBe(from);
        if (to === 'stopping') {
          // A stop outside preparing/running is not an error: it is ignored (the outcome is decided).
          expect(move.stopping(run)).toBe(legal);
          expect(run.phase).toBe(legal ? 'stopping' : from);
        } else if (legal) {
          move[to](run);
          expect(run.phase).toBe(to);
        } else {
          expect(() => move[to](run)).toThrow(/no move/);
          expect(run.phase).toBe(from);
        }
      });
    }
  }

  it('keeps the first stop reason, tells waiting control polls and aborts model calls', async () => {
    const run = newRun();
    const poll = run.waitForControl(60_000, new AbortController().signal);
    expect(run.stop({ kind: 'cancelled', code: 'RUN_TIMEOUT', message: 'too slow' })).toBe(true);
    expect(run.stop({ kind: 'interrupted', message: 'later' })).toBe(false);
    expect(run.stopOutcome()).toEqual({ kind: 'cancelled', code: 'RUN_TIMEOUT', message: 'too slow' });
    expect(await poll).toEqual({ signal: 'cancel', reason: 'too slow' });
    expect(run.signal.aborted).toBe(true);
    expect(() => run.beginModelCall()).toThrow(/stopping/);
  });

  it('allows one model call at a time and counts steps up to the limit', () => {
    const run = newRun(1);
    run.beginModelCall();
    expect(() => run.beginModelCall()).toThrow(/one model call at a time/);
    expect(run.takeStep()).toBe(true);
    expect(run.takeStep()).toBe(false);
    expect(run.steps).toBe(1);
    run.endModelCall();
    expect(() => run.beginModelCall()).not.toThrow();
  });

  it('records turns, the answer of a turn without tools, and usage', () => {
    const run = newRun();
    run.begin([{ role: 'user', content: [{ text: 'hi' }] }]);
    const toolUse = { toolUse: { toolUseId: 't1', name: 'bash', input: { command: 'ls' } } };
    run.transcript.recordTurn(
      { role: 'assistant', content: [{ text: 'Let me look.' }, toolUse] },
      { usage: undefined, stopReason: 'tool_use' },
    );
    expect(run.transcript.finalText).toBeNull();
    expect(run.transcript.toolName('t1')).toBe('bash');
    expect(run.transcript.toolName('t2')).toBeUndefined();
    run.transcript.recordTurn(
      { role: 'assistant', content: [{ text: 'done' }] },
      { usage: undefined, stopReason: 'end_turn' },
    );
    expect(run.transcript.answerText).toBe('Let me look.\n\ndone');
    expect(run.transcript.lastCall?.stopReason).toBe('end_turn');
    run.recordUsage({ inputTokens: 3, outputTokens: 4, cacheReadTokens: 1, cacheWriteTokens: 0 }, 7n);
    run.recordUsage({ inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 2 }, 3n);
    expect(run.transcript.messages).toHaveLength(3);
    expect(run.transcript.finalText).toBe('done');
    expect(run.usage).toEqual({ inputTokens: 4, outputTokens: 5, cacheReadTokens: 1, cacheWriteTokens: 2 });
    expect(run.costPico).toBe(10n);
  });

  it('knows its sandbox before it is ready, and gives back only a sandbox that started', async () => {
    const started = newRun(2, Promise.resolve({ record: { id: 'sbx2' }, source: 'cold' } as SandboxLease));
    expect(started.sandboxId).toBe('sbx1');
    expect(() => started.lease).toThrow(/not ready/);
    await started.sandboxReady();
    // A retried start may hand over another sandbox than the one first reserved.
    expect(started.sandboxId).toBe('sbx2');
    const failed = newRun(2, Promise.reject(new Error('no start')));
    await expect(failed.sandboxReady()).rejects.toThrow('no start');
    await expect(failed.settledLease()).resolves.toBeUndefined();
  });

  it('gives a run one event stream and counts subscribers without going negative', () => {
    const run = newRun();
    expect(run.openEventStream()).toBe(true);
    expect(run.openEventStream()).toBe(false);
    expect(run.addSubscriber()).toBe(1);
    expect(run.removeSubscriber()).toBe(0);
    expect(run.removeSubscriber()).toBe(0);
  });

  it('on a protocol violation: discards the sandbox, ends the runner with the error and stops', async () => {
    const run = runIn('running');
    run.runnerBrokeProtocol('bad event');
    expect(run.sandboxDiscarded).toBe(true);
    expect(await run.runnerEnded).toEqual({
      kind: 'error',
      code: 'RUNNER_PROTOCOL_ERROR',
      message: 'bad event',
    });
    expect(run.stopOutcome()).toMatchObject({ kind: 'failed', code: 'RUNNER_PROTOCOL_ERROR' });
    expect(run.phase).toBe('stopping');
  });

  it('ends the runner with SANDBOX_LOST when the run job fails', async () => {
    const run = newRun();
    run.handToRunner(Promise.reject(new Error('socket closed')));
    expect(await run.runnerEnded).toEqual({ kind: 'error', code: 'SANDBOX_LOST', message: 'socket closed' });
    await run.jobSettled;
  });
});
