import type { Duplex } from 'node:stream';
import type { McpStdioPathPrefix, McpStdioProtocol } from '@agentd/sandbox-runner/protocol';
import { acceptUpgrade, type CallHomeServer } from '../callhome/call-home-server.js';
import { AgentdError } from '../common/errors.js';

const PATH_PREFIX: McpStdioPathPrefix = '/v1/mcp/stdio/';
export const STDIO_PROTOCOL: McpStdioProtocol = 'agentd-mcp-stdio';

export interface StdioChannel {
  socket: Duplex;
  head: Buffer;
}

interface Expected {
  resolve: (channel: StdioChannel) => void;
  timer: NodeJS.Timeout;
}

/**
 * The upgraded connections that carry stdio MCP servers' pipes. agentd accepts one only when it asked that
 * sandbox's runner for exactly that channel; anything else is refused.
 */
export class StdioChannels {
  readonly #expected = new Map<string, Expected>();

  constructor(callHome: CallHomeServer) {
    callHome.upgradeRoute(`${PATH_PREFIX}:channelId`, ({ channel, socket, head, params }) => {
      const key = keyOf(channel.sandboxId, params.channelId ?? '');
      const expected = this.#expected.get(key);
      if (!expected) throw new AgentdError('NOT_FOUND', 'no stdio channel was asked for under this id');
      this.#expected.delete(key);
      clearTimeout(expected.timer);
      acceptUpgrade(socket, STDIO_PROTOCOL);
      expected.resolve({ socket, head });
      return Promise.resolve();
    });
  }

  /** Resolves when the sandbox's runner opens the channel; rejects after `timeoutMs`. */
  expect(sandboxId: string, channelId: string, timeoutMs: number): Promise<StdioChannel> {
    return new Promise((resolve, reject) => {
      const key = keyOf(sandboxId, channelId);
      const timer = setTimeout(() => {
        this.#expected.delete(key);
        reject(new AgentdError('MCP_ERROR', `the stdio server did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#expected.set(key, { resolve, timer });
    });
  }

  cancel(sandboxId: string, channelId: string): void {
    const key = keyOf(sandboxId, channelId);
    const expected = this.#expected.get(key);
    if (expected) clearTimeout(expected.timer);
    this.#expected.delete(key);
  }
}

function keyOf(sandboxId: string, channelId: string): string {
  return `${sandboxId}/${channelId}`;
}
