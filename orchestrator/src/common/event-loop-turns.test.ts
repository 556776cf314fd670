import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from './event-loop-turns.js';

/** Burns about `ms` of CPU, as relaying a batch of events does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** A stream whose every await resolves at once (an unpaced model): only its yields give the loop a turn. */
async function unpacedStream(
  turns: EventLoopTurns | undefined,
  items: number,
  done: number[],
): Promise<void> {
  let handled = 0;
  for (let i = 0; i < items; i++) {
    await Promise.resolve();
    busy(0.05);
    done[0] = (done[0] ?? 0) + 1;
    if (turns?.due(++handled)) {
      handled = 0;
      await turns.yieldTurn();
    }
  }
}

describe('EventLoopTurns', () => {
  it('lets a timer fire while unpaced streams are still going, which they block without it', async () => {
    const run = async (turns: EventLoopTurns | undefined): Promise<number> => {
      const done = [0];
      let atTimer = -1;
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          atTimer = done[0] ?? 0;
          resolve();
        }, 0),
      );
      await Promise.all([0, 1, 2].map(() => unpacedStream(turns, 200, done)));
      await timer;
      return atTimer;
    };
    expect(await run(undefined)).toBe(600);
    expect(await run(new EventLoopTurns(1, 16))).toBeLessThan(600);
  });

  it('serves every waiting loop, even when the one it released never yields again', async () => {
    // A zero slice is always spent: each waiter is released on a later turn of the event loop.
    const turns = new EventLoopTurns(0, 1);
    turns.due(0);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => turns.yieldTurn().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});

describe('EventLoopTurns.due', () => {
  it('notices a spent slice within a few calls, reading the clock on every eighth only', () => {
    // A zero slice is spent as soon as it has begun; the quantum is out of reach.
    const turns = new EventLoopTurns(0, 1_000);
    const answers = Array.from({ length: 16 }, () => turns.due(1));
    // The first clock read begins the slice; the second finds it spent.
    expect(answers.indexOf(true)).toBe(15);
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('once a clock read found the slice spent, tells every caller at once, until the next turn', async () => {
    const turns = new EventLoopTurns(0, 1_000);
    // Eight calls: the slice begins. Eight more (one of them a caller's): it is found spent.
    for (let i = 0; i < 16; i++) turns.due(1);
    // Other interleaved callers do not each wait for a clock read of their own.
    expect([1, 2, 3].map((n) => turns.due(n))).toEqual([true, true, true]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns.due(1)).toBe(false);
  });

  it('tells a caller past its quantum to yield without reading the clock', () => {
    const turns = new EventLoopTurns(60_000, 4);
    expect([1, 2, 3, 4].map((n) => turns.due(n))).toEqual([false, false, false, true]);
  });
});

describe('EventLoopTurns, streams and their woken readers together', () => {
  it('relays at most about two slices per turn of the event loop, however many readers wake in it', async () => {
    const turns = new EventLoopTurns(2, 4);
    const UNIT_MS = 0.25;
    // Work units done since the timers phase last ran: the most in one turn of the loop is the measure.
    let units = 0;
    let most = 0;
    let done = false;
    const unit = (): void => {
      busy(UNIT_MS);
      units += 1;
    };
    const marker = (): void => {
      most = Math.max(most, units);
      units = 0;
      if (!done) setTimeout(marker, 0);
    };
    setTimeout(marker, 0);
    // The event log's wake-up: waiting readers run on the next check phase, all of them.
    let appended = 0;
    let waking = false;
    const waiters = new Set<() => void>();
    const append = (): void => {
      appended += 1;
      if (waking || waiters.size === 0) return;
      waking = true;
      setImmediate(() => {
        waking = false;
        for (const wake of [...waiters]) wake();
        waiters.clear();
      });
    };
    const writer = async (): Promise<void> => {
      let handled = 0;
      for (let i = 0; i < 300; i++) {
        // Every so often the writer waits on I/O (a full socket) and resumes outside the check phase.
        await (i % 16 === 15 ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve());
        unit();
        append();
        if (turns.due(++handled)) {
          handled = 0;
          await turns.yieldTurn();
        }
      }
    };
    // A reader writes what is new as one batch (two units), as `RunStreamService.follow` does.
    const reader = async (): Promise<void> => {
      let seen = 0;
      while (!done) {
        if (appended > seen) {
          seen = appended;
          unit();
          unit();
          if (turns.due(4)) await turns.yieldTurn();
          continue;
        }
        await new Promise<void>((resolve) => waiters.add(resolve));
        const turn = turns.turn();
        if (turn) await turn;
      }
    };
    const readers = Array.from({ length: 30 }, () => reader());
    await Promise.all([writer(), writer(), writer()]);
    done = true;
    for (const wake of waiters) wake();
    await Promise.all(readers);
    // Two slices of 2 ms are 16 units; each may overrun by a few items. 30 readers that each wrote a batch
    // before asking would be 60 units in one turn.
    expect(most).toBeGreaterThan(4);
    expect(most).toBeLessThanOrEqual(32);
  });
});
