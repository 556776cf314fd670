import { AgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { ActiveRun } from '../runs/active-run.js';
import { expandSecretRefs } from '../secrets/secret-reference.js';
import type { SecretResolver } from '../secrets/secret-resolver.js';
import type { McpServer } from '../store/mcp-server.js';
import { McpConnection } from './mcp-connection.js';
import { SocketTransport } from './socket-transport.js';
import type { StdioChannels } from './stdio-channels.js';

export interface McpConnectorOptions {
  secrets: SecretResolver;
  /** The outbound-guarded (and size-limited) fetch remote servers are called with, on the host. */
  fetch: typeof fetch;
  stdio: StdioChannels;
  /** One JSON-RPC line from a stdio server. */
  maxLineBytes: number;
}

/** Opens MCP sessions: remote servers from the host, stdio servers inside the run's sandbox through the runner. */
export class McpConnector {
  constructor(private readonly options: McpConnectorOptions) {}

  async http(server: McpServer, timeoutMs: number): Promise<McpConnection> {
    if (server.url === null) throw new AgentdError('MCP_ERROR', `${server.name} has no URL`);
    const headers: Record<string, string> = {};
    // Expanded here, on the host, for this connection only: the values never reach a sandbox or a response.
    for (const [name, template] of Object.entries(server.headers))
      headers[name] = await expandSecretRefs(template, server.tenantId, this.options.secrets);
    return McpConnection.http(new URL(server.url), headers, this.options.fetch, timeoutMs);
  }

  async stdio(server: McpServer, run: ActiveRun, timeoutMs: number): Promise<McpConnection> {
    if (server.command === null) throw new AgentdError('MCP_ERROR', `${server.name} has no command`);
    const channelId = randomId(16);
    const { stdio } = this.options;
    const opened = stdio.expect(run.lease.record.id, channelId, timeoutMs);
    opened.catch(() => undefined);
    const result = await run.lease.channel.send(
      {
        kind: 'mcp_stdio',
        runId: run.id,
        channelId,
        command: server.command,
        args: server.args,
        env: server.env,
      },
      timeoutMs,
    );
    if (!result.ok) {
      stdio.cancel(run.lease.record.id, channelId);
      throw new AgentdError('MCP_ERROR', `the stdio server did not start: ${result.error.message}`);
    }
    const channel = await opened;
    const transport = new SocketTransport(channel.socket, channel.head, this.options.maxLineBytes);
    try {
      return await McpConnection.over(transport, timeoutMs);
    } catch (err) {
      await transport.close();
      throw err;
    }
  }
}
