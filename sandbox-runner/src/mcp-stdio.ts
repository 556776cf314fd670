import { spawn } from 'node:child_process';
import type { CallHomeClient } from './call-home-client.js';
import type { JobResult, McpStdioJob, McpStdioPathPrefix, McpStdioProtocol } from './protocol.js';
import { errorMessage } from './runner-error.js';
import { killProcessGroup, type ProcessGroups } from './tools/process-groups.js';

const PATH_PREFIX: McpStdioPathPrefix = '/v1/mcp/stdio/';
const PROTOCOL: McpStdioProtocol = 'agentd-mcp-stdio';
const UPGRADE_TIMEOUT_MS = 15_000;

export interface McpStdioContext {
  client: CallHomeClient;
  workspaceRoot: string;
  env: Record<string, string>;
  /** The run's process groups: a cancelled run takes its servers down like its bash jobs. */
  processGroups: ProcessGroups;
}

/**
 * Starts a stdio MCP server like a bash command (own process group, the tools' environment, /workspace as its
 * directory) and relays its stdin and stdout over an upgraded call-home connection. The runner never reads
 * the bytes: agentd speaks MCP. Either side ending ends the other.
 */
export async function startMcpStdio(job: McpStdioJob, ctx: McpStdioContext): Promise<JobResult> {
  const child = spawn(job.command, job.args, {
    cwd: ctx.workspaceRoot,
    env: { ...ctx.env, ...job.env },
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    return {
      jobId: job.jobId,
      ok: false,
      error: { code: 'MCP_ERROR', message: errorMessage(err).slice(0, 4096) },
    };
  }
  const pid = child.pid;
  if (pid !== undefined) ctx.processGroups.add(pid);
  const kill = (): void => {
    if (pid !== undefined) killProcessGroup(pid);
  };
  try {
    const { socket, head } = await ctx.client.upgrade(
      `${PATH_PREFIX}${encodeURIComponent(job.channelId)}`,
      PROTOCOL,
      UPGRADE_TIMEOUT_MS,
    );
    if (head.length > 0) child.stdin.write(head);
    socket.pipe(child.stdin);
    child.stdout.pipe(socket);
    child.stdin.on('error', () => socket.destroy());
    socket.on('error', () => undefined);
    socket.once('end', () => socket.destroy());
    socket.once('close', kill);
    child.once('exit', () => socket.end());
    return { jobId: job.jobId, ok: true, data: null };
  } catch (err) {
    kill();
    return {
      jobId: job.jobId,
      ok: false,
      error: { code: 'MCP_ERROR', message: errorMessage(err).slice(0, 4096) },
    };
  }
}
