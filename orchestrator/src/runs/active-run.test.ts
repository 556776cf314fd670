import { describe, expect, it } from 'vitest';
import type { SandboxLease } from '../sandbox/sandbox-manager.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';
import { ActiveRun, RUN_TRANSITIONS, type RunPhase } from './active-run.js';

function newRun(maxSteps = 2): ActiveRun {
  return new ActiveRun({
    id: 'run_test',
    tenant: { id: 't1' } as Tenant,
    conversation: { id: 'c1' } as Conversation,
    model: { id: 'm1' } as Model,
    lock: { key: 'k', lost: new AbortController().signal, release: () => Promise.resolve() },
    lease: { record: { id: 'sbx1' } } as SandboxLease,
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
    run.recordTurn({ role: 'assistant', content: [{ text: 'tool?' }] }, null);
    expect(run.finalText).toBeNull();
    run.recordTurn({ role: 'assistant', content: [{ text: 'done' }] }, 'done');
    run.recordUsage({ inputTokens: 3, outputTokens: 4, cacheReadTokens: 1, cacheWriteTokens: 0 }, 7n);
    run.recordUsage({ inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 2 }, 3n);
    expect(run.messages).toHaveLength(3);
    expect(run.finalText).toBe('done');
    expect(run.usage).toEqual({ inputTokens: 4, outputTokens: 5, cacheReadTokens: 1, cacheWriteTokens: 2 });
    expect(run.costPico).toBe(10n);
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
