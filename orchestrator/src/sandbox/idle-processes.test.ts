import { describe, expect, it } from 'vitest';
import { strays } from './idle-processes.js';

const proc = (pid: number, nsPid: number, ppid: number, startTicks: number) => ({
  pid,
  nsPid,
  ppid,
  startTicks,
});

describe('strays', () => {
  it('spares init and the oldest child of init (the runner), whatever the others call themselves', () => {
    const init = proc(100, 1, 90, 10);
    const runner = proc(101, 7, 100, 11);
    const orphan = proc(150, 40, 100, 500);
    const grandchild = proc(151, 41, 150, 501);
    expect(strays([orphan, grandchild, runner, init])).toEqual([orphan, grandchild]);
  });

  it('kills everything when no init is visible (never spares an arbitrary process)', () => {
    const a = proc(5, 3, 4, 1);
    expect(strays([a])).toEqual([a]);
  });
});
