import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadRunnerConfig } from '../config.js';
import type { RunLimits } from '../protocol.js';
import { ToolRunner } from '../tool-runner.js';
import { ProcessGroups } from './process-groups.js';

const LIMITS: RunLimits = {
  maxSteps: 10,
  toolTimeoutMs: 5_000,
  maxToolTimeoutMs: 10_000,
  toolOutputBytes: 4096,
};

/** A process is gone once it no longer exists or is a zombie nobody reaped yet (PID 1 here may not reap). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitForDeath(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(20);
  }
  return false;
}

describe('bash tool', () => {
  let root: string;
  let groups: ProcessGroups;
  const runner = (limits: Partial<RunLimits> = {}, env = loadRunnerConfig().toolEnv): ToolRunner =>
    new ToolRunner({ workspaceRoot: root, env, limits: { ...LIMITS, ...limits }, processGroups: groups });
  const bash = (input: unknown, limits: Partial<RunLimits> = {}) =>
    runner(limits).run('bash', input, new AbortController().signal);

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'bash-')));
    groups = new ProcessGroups();
  });

  afterEach(async () => {
    groups.killAll();
    await rm(root, { recursive: true, force: true });
  });

  it('interleaves stdout and stderr in arrival order and ends with the exit code', async () => {
    const result = await bash({ command: 'echo out; sleep 0.05; echo err >&2; sleep 0.05; printf tail' });
    expect(result).toEqual({ output: 'out\nerr\ntail\n[exit code 0]', isError: false, truncated: false });
  });

  it('runs the command below the runner’s CPU priority, and what it starts too', async () => {
    expect(getPriority()).toBeLessThan(19);
    // Field 19 of /proc/<pid>/stat is the niceness (`cut`'s own, a child of bash).
    const result = await bash({ command: "sleep 0.05; cut -d' ' -f19 /proc/self/stat" });
    expect(result).toEqual({ output: '19\n[exit code 0]', isError: false, truncated: false });
  });

  it('reports a non-zero exit code as an error', async () => {
    expect(await bash({ command: 'echo nope; exit 3' })).toEqual({
      output: 'nope\n[exit code 3]',
      isError: true,
      truncated: false,
    });
  });

  it('reports death by signal', async () => {
    expect(await bash({ command: 'kill -TERM $$' })).toMatchObject({
      output: '[killed by SIGTERM]',
      isError: true,
    });
  });

  it('runs in the workspace with the runner environment minus AGENTD_*', async () => {
    const env = loadRunnerConfig({
      PATH: '/usr/bin:/bin',
      AGENTD_SOCKET: '/run/agentd/agentd.sock',
      FOO: 'bar',
    });
    const result = await runner({}, env.toolEnv).run(
      'bash',
      { command: 'pwd; echo "${AGENTD_SOCKET:-unset} $FOO"' },
      new AbortController().signal,
    );
    expect(result.output).toBe(`${root}\nunset bar\n[exit code 0]`);
  });

  it('kills the whole process group on timeout', async () => {
    expect(await isAlive(process.pid)).toBe(true);
    const started = Date.now();
    const result = await bash({ command: 'sleep 30 & echo $! > sleep.pid; wait', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.isError).toBe(true);
    expect(result.output).toContain('[timed out after 300 ms; process group killed]');
    const pid = Number(await readFile(path.join(root, 'sleep.pid'), 'utf8'));
    expect(await waitForDeath(pid, 2_000)).toBe(true);
  });

  it('never waits longer than maxToolTimeoutMs, whatever the model asks', async () => {
    const result = await bash({ command: 'sleep 5', timeoutMs: 60_000 }, { maxToolTimeoutMs: 200 });
    expect(result.output).toContain('timed out after 200 ms');
  });

  it('uses toolTimeoutMs when the model gives no timeout', async () => {
    const result = await bash({ command: 'sleep 5' }, { toolTimeoutMs: 150 });
    expect(result.output).toContain('timed out after 150 ms');
  });

  it('does not hang on a background job that keeps its output open', async () => {
    // The background job marks its end in a file: the tool must answer while it still runs.
    const result = await bash({ command: '(sleep 30; touch bg-done) & echo started' });
    expect(result).toMatchObject({ output: 'started\n[exit code 0]', isError: false });
    await expect(readFile(path.join(root, 'bg-done'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('kills the process group when the run is cancelled', async () => {
    const abort = new AbortController();
    const pending = runner().run('bash', { command: 'sleep 30 & echo $! > sleep.pid; wait' }, abort.signal);
    // Cancel once the background sleep exists (its pid is written).
    await vi.waitFor(() =>
      readFile(path.join(root, 'sleep.pid'), 'utf8').then((t) => expect(t).toMatch(/\d+\n/)),
    );
    abort.abort(new Error('cancel'));
    const result = await pending;
    expect(result.output).toContain('[cancelled; process group killed]');
    const pid = Number(await readFile(path.join(root, 'sleep.pid'), 'utf8'));
    expect(await waitForDeath(pid, 2_000)).toBe(true);
  });

  it('cuts long output at toolOutputBytes and keeps the exit code', async () => {
    const result = await bash({ command: 'yes | head -c 100000' }, { toolOutputBytes: 1000 });
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(1000);
    expect(result.output).toMatch(/^y\ny\n/);
    expect(result.output.endsWith('[output truncated]\n[exit code 0]')).toBe(true);
  });

  it('rejects invalid input without running anything', async () => {
    expect(await bash({ command: 42 })).toMatchObject({
      isError: true,
      output: expect.stringContaining('"command"'),
    });
    expect(await bash({ command: 'true', timeoutMs: -1 })).toMatchObject({ isError: true });
  });
});
