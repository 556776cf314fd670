import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import type { BashInput } from '../protocol.js';
import { OutputCollector } from './output-collector.js';
import { killProcessGroup } from './process-groups.js';
import { ToolTimeoutError, type ToolContext, type ToolOutcome } from './tool.js';

/**
 * The command runs at the lowest CPU priority (its children inherit it): within the sandbox's CPU limit, a
 * fork bomb or busy loop it leaves behind could otherwise take nearly all the time from the runner, which must
 * still report, sync and end the run (one such run took 121 s to end). The runner cannot raise its own
 * priority; it lowers the command's right after the spawn, before bash has usually started a child.
 *
 * The lowest, because a fork bomb is many processes: at the pids limit of 128, some 125 of them at niceness 10
 * (CFS weight 110 each, the runner's 1024) left the runner 7% of the sandbox's CPU, and such a test case in CI
 * took a minute, once over two; at 19 (weight 15) it gets about a third. Niceness only orders the processes of one sandbox:
 * a command alone gets all of the sandbox's CPU whatever its niceness.
 */
const COMMAND_NICENESS = 19;

function lowerPriority(pid: number): void {
  try {
    setPriority(pid, COMMAND_NICENESS);
  } catch {
    // The command may have exited already.
  }
}

/** After bash exits, a background job may still hold its pipes open; stop reading after this long. */
const PIPE_GRACE_MS = 200;

/**
 * `bash -c command` in the workspace, in its own process group so a timeout or a cancel kills everything it
 * started. stdout and stderr are interleaved in arrival order; the exit status is the last line.
 */
export function runBash(input: BashInput, ctx: ToolContext): Promise<ToolOutcome> {
  return new Promise((resolve) => {
    const output = new OutputCollector(ctx.maxOutputBytes);
    const child = spawn('bash', ['-c', input.command], {
      cwd: ctx.workspaceRoot,
      env: ctx.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) {
      ctx.processGroups.add(pid);
      lowerPriority(pid);
    }
    const onAbort = (): void => {
      if (pid !== undefined) killProcessGroup(pid);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();

    child.stdout.setEncoding('utf8').on('data', (text: string) => output.push(text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => output.push(text));

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: ToolOutcome): void => {
      clearTimeout(graceTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.once('error', (err) => {
      // Only a failed spawn lands here without an exit; a failed kill is not an error of the command.
      if (exit === undefined && pid === undefined) {
        finish({ output: `cannot run bash: ${err.message}`, isError: true });
      }
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const status = exit ?? { code, signal };
      const { trailer, isError } = describeExit(status.code, status.signal, ctx.signal);
      finish({ output: output.text, truncated: output.truncated, trailer, isError });
    });
  });
}

function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  abort: AbortSignal,
): { trailer: string; isError: boolean } {
  if (abort.aborted) {
    const reason: unknown = abort.reason;
    const why = reason instanceof ToolTimeoutError ? `timed out after ${reason.timeoutMs} ms` : 'cancelled';
    return { trailer: `[${why}; process group killed]`, isError: true };
  }
  if (signal !== null) return { trailer: `[killed by ${signal}]`, isError: true };
  return { trailer: `[exit code ${code ?? -1}]`, isError: code !== 0 };
}
