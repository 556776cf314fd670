import { describe, expect, it } from 'vitest';
import { ValidationError } from '../common/errors.js';
import type { McpServerInput } from '../store/mcp-server.js';
import { checkMcpServer } from './mcp-server-rules.js';

const http: McpServerInput = {
  name: 'docs',
  transport: 'http',
  url: 'https://mcp.example.com/mcp',
  headers: { Authorization: 'Bearer ${secret:DOCS_TOKEN}' },
  command: null,
  args: [],
  env: {},
  enabled: true,
  allowedTools: null,
  timeoutMs: null,
};

function issues(input: McpServerInput): string[] {
  try {
    checkMcpServer(input);
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return [...err.issues];
    throw err;
  }
}

describe('checkMcpServer', () => {
  it('accepts a remote server whose headers hold secret references', () => {
    expect(issues(http)).toEqual([]);
  });

  it('refuses plaintext credentials, other schemes, credentials in the URL and reserved headers', () => {
    expect(issues({ ...http, headers: { Authorization: 'Bearer abc' } })).toEqual([
      expect.stringMatching(/must contain a secret reference/),
    ]);
    expect(issues({ ...http, url: 'file:///etc/passwd' })).toEqual(['url: http or https only']);
    expect(issues({ ...http, url: 'https://u:p@example.com/' })).toHaveLength(1);
    expect(issues({ ...http, headers: { Host: '${secret:X}' } })).toHaveLength(1);
  });

  it('refuses names that would break tool names', () => {
    for (const name of ['', 'a__b', '-x', 'x'.repeat(25), 'a.b'])
      expect(issues({ ...http, name })).toHaveLength(1);
  });

  it('keeps secrets out of a stdio server’s environment and AGENTD_ variables out of reach', () => {
    const stdio: McpServerInput = { ...http, transport: 'stdio', url: null, headers: {}, command: 'node' };
    expect(issues(stdio)).toEqual([]);
    expect(issues({ ...stdio, env: { TOKEN: '${secret:X}' } })).toEqual([
      expect.stringMatching(/secret references are not allowed/),
    ]);
    expect(issues({ ...stdio, env: { AGENTD_SOCKET: '/tmp/x' } })).toHaveLength(1);
    expect(issues({ ...stdio, command: null })).toHaveLength(1);
  });
});
