import type { CallHomeClient } from './call-home-client.js';
import { callMcpTool, isMcpTool } from './mcp-call.js';
import type { RunLimits, ToolResultContent } from './protocol.js';
import { errorMessage } from './runner-error.js';
import { parseToolCall, type ToolCall } from './tool-input.js';
import { runBash } from './tools/bash-tool.js';
import { editFileTool } from './tools/edit-file-tool.js';
import { listFilesTool } from './tools/list-files-tool.js';
import type { ProcessGroups } from './tools/process-groups.js';
import { readFileTool } from './tools/read-file-tool.js';
import { ToolError, ToolTimeoutError, type ToolContext, type ToolOutcome } from './tools/tool.js';
import { writeFileTool } from './tools/write-file-tool.js';
import { cutUtf8, utf8Length } from './utf8-text.js';

/** How long a tool may take to wind down after its timeout or a cancel before the runner stops waiting. */
const ABORT_GRACE_MS = 2_000;
const TRUNCATION_NOTE = '[output truncated]';

export interface ToolResult {
  output: string;
  isError: boolean;
  truncated: boolean;
  /** The blocks the model gets, when they are more than `output` (an MCP tool's images). */
  content?: ToolResultContent[];
}

/** agentd's answer to an MCP call can take the server's whole timeout; this only catches a lost agentd. */
const MCP_SLACK_MS = 30_000;

export interface ToolRunnerOptions {
  workspaceRoot: string;
  env: Record<string, string>;
  limits: RunLimits;
  processGroups: ProcessGroups;
  /** Where MCP tool uses go (agentd executes them); absent, they are unknown tools. */
  mcp?: { client: CallHomeClient; runId: string };
}

/** Runs one tool use: validates it, dispatches it with a timeout, and cuts its output to the run's limit. */
export class ToolRunner {
  constructor(private readonly options: ToolRunnerOptions) {}

  async run(name: string, input: unknown, runSignal: AbortSignal, toolUseId = ''): Promise<ToolResult> {
    const { mcp } = this.options;
    if (mcp && isMcpTool(name)) {
      const request = { runId: mcp.runId, toolUseId, name, input };
      const timeoutMs = this.options.limits.maxToolTimeoutMs + MCP_SLACK_MS;
      return callMcpTool(mcp.client, request, timeoutMs, runSignal);
    }
    const parsed = parseToolCall(name, input);
    if (!parsed.ok) return this.#finish({ output: parsed.error, isError: true });
    const timeoutMs = this.#timeoutOf(parsed.call);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new ToolTimeoutError(timeoutMs)), timeoutMs);
    const signal = AbortSignal.any([runSignal, timeout.signal]);
    const ctx: ToolContext = {
      workspaceRoot: this.options.workspaceRoot,
      env: this.options.env,
      signal,
      maxOutputBytes: this.options.limits.toolOutputBytes,
      processGroups: this.options.processGroups,
    };
    try {
      return this.#finish(await settleSoonAfterAbort(dispatch(parsed.call, ctx), signal));
    } catch (err) {
      return this.#finish({ output: describeFailure(parsed.call.name, err, signal), isError: true });
    } finally {
      clearTimeout(timer);
    }
  }

  #timeoutOf(call: ToolCall): number {
    const { toolTimeoutMs, maxToolTimeoutMs } = this.options.limits;
    const requested = call.name === 'bash' ? (call.input.timeoutMs ?? toolTimeoutMs) : toolTimeoutMs;
    return Math.max(1, Math.min(requested, maxToolTimeoutMs));
  }

  /** Cuts the output to `toolOutputBytes`, keeping the trailer (bash's exit status) and saying it was cut. */
  #finish(outcome: ToolOutcome): ToolResult {
    const limit = this.options.limits.toolOutputBytes;
    const trailer = outcome.trailer ?? '';
    const full = joinLines([outcome.output, trailer]);
    if (!outcome.truncated && utf8Length(full) <= limit) {
      return { output: full, isError: outcome.isError, truncated: false };
    }
    const tail = joinLines([TRUNCATION_NOTE, trailer]);
    const room = limit - utf8Length(tail) - 1;
    const output = room > 0 ? joinLines([cutUtf8(outcome.output, room), tail]) : cutUtf8(full, limit);
    return { output, isError: outcome.isError, truncated: true };
  }
}

function dispatch(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
  switch (call.name) {
    case 'bash':
      return runBash(call.input, ctx);
    case 'read_file':
      return readFileTool(call.input, ctx);
    case 'write_file':
      return writeFileTool(call.input, ctx);
    case 'edit_file':
      return editFileTool(call.input, ctx);
    case 'list_files':
      return listFilesTool(call.input, ctx);
  }
}

/**
 * Waits for the tool, but not forever once `signal` aborts: file system calls without a signal cannot be
 * interrupted, and the run must not hang on them.
 */
function settleSoonAfterAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => reject(signal.reason as Error), ABORT_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    void work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function describeFailure(name: string, err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof ToolTimeoutError ? `${name} ${reason.message}` : `${name} was cancelled`;
  }
  if (err instanceof ToolError) return err.message;
  return `${name} failed: ${errorMessage(err)}`;
}

function joinLines(parts: string[]): string {
  return parts
    .filter((part) => part !== '')
    .reduce((text, part) => {
      if (text === '') return part;
      return text.endsWith('\n') ? text + part : `${text}\n${part}`;
    }, '');
}
