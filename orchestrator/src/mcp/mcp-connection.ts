import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { findAgentdError } from './mcp-failure.js';

const CLIENT_INFO = { name: 'agentd', version: '0.1.0' };
/** Pages of `tools/list` read at most: a server cannot keep agentd paging forever. */
const MAX_LIST_PAGES = 50;

export interface ToolListing {
  tools: Tool[];
  /** The server listed more than the cap; only the first `cap` are kept. */
  capped: boolean;
}

/** One MCP client session with one server (for one run, or one check). */
export class McpConnection {
  #toolsChanged: (() => void) | undefined;

  private constructor(private readonly client: Client) {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.#toolsChanged?.();
      return Promise.resolve();
    });
  }

  /** Connects over a transport agentd already holds (a stdio server's relayed pipes). */
  static async over(transport: Transport, timeoutMs: number): Promise<McpConnection> {
    const client = new Client(CLIENT_INFO, { capabilities: {} });
    const connection = new McpConnection(client);
    await client.connect(transport, { timeout: timeoutMs });
    return connection;
  }

  /** Streamable HTTP first; a server that refuses it (an older one) is tried with HTTP+SSE. */
  static async http(
    url: URL,
    headers: Record<string, string>,
    fetch: typeof globalThis.fetch,
    timeoutMs: number,
  ): Promise<McpConnection> {
    const requestInit = { headers };
    try {
      return await McpConnection.over(
        new StreamableHTTPClientTransport(url, { fetch, requestInit }),
        timeoutMs,
      );
    } catch (err) {
      // An address the rules refuse stays refused whatever the protocol.
      if (findAgentdError(err)?.code === 'EGRESS_DENIED' || !isProtocolRefusal(err)) throw err;
      // The issue asks for the SSE fallback: servers on the 2024-11-05 protocol still speak only HTTP+SSE.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      return McpConnection.over(new SSEClientTransport(url, { fetch, requestInit }), timeoutMs);
    }
  }

  set onToolsChanged(handler: () => void) {
    this.#toolsChanged = handler;
  }

  async listTools(cap: number, timeoutMs: number): Promise<ToolListing> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: timeoutMs,
      });
      tools.push(...result.tools);
      if (tools.length > cap) return { tools: tools.slice(0, cap), capped: true };
      cursor = result.nextCursor;
      if (cursor === undefined) return { tools, capped: false };
    }
    return { tools, capped: true };
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    const result = await this.client.callTool({ name, arguments: args }, undefined, {
      timeout: timeoutMs,
      signal,
    });
    return result as CallToolResult;
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}

/** 4xx from the first POST: the server does not speak streamable HTTP (the SDK's documented fallback rule). */
function isProtocolRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 400 && code < 500;
}
