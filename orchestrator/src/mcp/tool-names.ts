import { createHash } from 'node:crypto';

/** Bedrock's rule for tool names (Converse `toolSpec.name`). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MCP_TOOL_PREFIX = 'mcp__';
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The name the model sees for an MCP server's tool: `mcp__<server>__<tool>`, with characters outside
 * Bedrock's set replaced, and shortened with a stable hash of the original pair when too long (or when the
 * replacement changed it, so two tools that differ only in such characters stay apart).
 */
export function exposedToolName(server: string, tool: string): string {
  const clean = tool.replace(/[^a-zA-Z0-9_-]/g, '_');
  const plain = `${MCP_TOOL_PREFIX}${server}__${clean}`;
  if (clean === tool && plain.length <= MAX_LENGTH) return plain;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_LENGTH - HASH_LENGTH - 1;
  return `${plain.slice(0, room)}_${hash}`;
}
