import { ValidationError } from '../common/errors.js';
import { hasSecretRef } from '../secrets/secret-reference.js';
import type { McpServerInput } from '../store/mcp-server.js';

/** Fits inside a 64-character tool name with room for the tool (`mcp__<name>__<tool>`); no `__` inside. */
export const SERVER_NAME_PATTERN = /^(?!.*__)[a-zA-Z0-9][a-zA-Z0-9_-]{0,23}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Headers the HTTP client owns; letting a tenant set them would let it smuggle requests. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'upgrade']);
const LIMITS = {
  headers: 32,
  headerValue: 4096,
  url: 2048,
  command: 1024,
  args: 64,
  arg: 4096,
  env: 64,
  envValue: 4096,
  tools: 256,
  tool: 128,
};
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 600_000;

/** Every problem with a server's configuration, in one error (nothing is stored when there is one). */
export function checkMcpServer(input: McpServerInput): void {
  const issues: string[] = [];
  if (!SERVER_NAME_PATTERN.test(input.name))
    issues.push('name: 1-24 of [a-zA-Z0-9_-], starting with a letter or digit, without "__"');
  if (input.transport === 'http') checkHttp(input, issues);
  else checkStdio(input, issues);
  if (input.allowedTools !== null) {
    if (input.allowedTools.length > LIMITS.tools) issues.push(`allowedTools: at most ${LIMITS.tools}`);
    if (input.allowedTools.some((t) => t === '' || t.length > LIMITS.tool))
      issues.push(`allowedTools: names of 1-${LIMITS.tool} characters`);
  }
  if (input.timeoutMs !== null && (input.timeoutMs < MIN_TIMEOUT_MS || input.timeoutMs > MAX_TIMEOUT_MS))
    issues.push(`timeoutMs: between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS}`);
  if (issues.length > 0) throw new ValidationError('invalid MCP server', issues);
}

function checkHttp(input: McpServerInput, issues: string[]): void {
  if (input.url === null) issues.push('url: required for transport http');
  else {
    let url: URL | undefined;
    try {
      url = new URL(input.url);
    } catch {
      issues.push('url: not a URL');
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') issues.push('url: http or https only');
    if (url && (url.username !== '' || url.password !== ''))
      issues.push('url: no credentials in the URL (use a header with a secret reference)');
    if (input.url.length > LIMITS.url) issues.push(`url: at most ${LIMITS.url} characters`);
  }
  if (input.command !== null || input.args.length > 0 || Object.keys(input.env).length > 0)
    issues.push('command, args and env belong to transport stdio');
  const headers = Object.entries(input.headers);
  if (headers.length > LIMITS.headers) issues.push(`headers: at most ${LIMITS.headers}`);
  for (const [name, value] of headers) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase()))
      issues.push(`headers.${name}: not a header a server may be given`);
    else if (value.length > LIMITS.headerValue || /[\r\n\0]/.test(value))
      issues.push(`headers.${name}: at most ${LIMITS.headerValue} characters, one line`);
    // A plaintext credential would be stored and listed as it is; a reference keeps it in the secret store.
    else if (!hasSecretRef(value))
      issues.push(`headers.${name}: must contain a secret reference \${secret:NAME} (no plaintext values)`);
  }
}

function checkStdio(input: McpServerInput, issues: string[]): void {
  if (input.command === null || input.command === '' || input.command.length > LIMITS.command)
    issues.push(`command: required for transport stdio, at most ${LIMITS.command} characters`);
  if (input.url !== null || Object.keys(input.headers).length > 0)
    issues.push('url and headers belong to transport http');
  if (input.args.length > LIMITS.args || input.args.some((a) => a.length > LIMITS.arg || a.includes('\0')))
    issues.push(`args: at most ${LIMITS.args}, each at most ${LIMITS.arg} characters`);
  const env = Object.entries(input.env);
  if (env.length > LIMITS.env) issues.push(`env: at most ${LIMITS.env}`);
  for (const [name, value] of env) {
    if (!ENV_NAME.test(name) || name.startsWith('AGENTD_'))
      issues.push(`env.${name}: not a variable name a server may set`);
    else if (value.length > LIMITS.envValue || value.includes('\0'))
      issues.push(`env.${name}: at most ${LIMITS.envValue} characters`);
    // The sandbox can read its processes' environment: a secret there would be the agent's.
    else if (hasSecretRef(value)) issues.push(`env.${name}: secret references are not allowed in a sandbox`);
  }
  if (input.command !== null && input.command.includes('\0')) issues.push('command: no NUL');
}
