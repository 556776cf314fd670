import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

/** A 1x1 transparent PNG. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const TOOLS: Tool[] = [
  {
    name: 'echo',
    description: 'Echoes its text.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  { name: 'fail', description: 'Always reports a failure.', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'slow',
    description: 'Answers after ms milliseconds.',
    inputSchema: { type: 'object', properties: { ms: { type: 'integer' } }, required: ['ms'] },
  },
  { name: 'image', description: 'Returns a small PNG.', inputSchema: { type: 'object', properties: {} } },
  { name: 'huge', description: 'Returns 3 MB of text.', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'weird.name/with spaces',
    description: 'A name outside Bedrock’s character set.',
    inputSchema: { type: 'object', properties: {} },
  },
];

export interface McpTestServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`; paths: `/mcp` (the tools above), `/many` (10,000 tools), `/redirect` (to a private address). */
  url: string;
  port: number;
  /** Authorization headers the server received. */
  authorizations: string[];
  close(): Promise<void>;
}

// The low-level server: a listing of 10,000 tools and raw JSON schemas are what this test needs.
/* eslint-disable @typescript-eslint/no-deprecated */
function mcpServer(many: boolean): Server {
  const server = new Server({ name: 'agentd-test', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: many
      ? Array.from({ length: 10_000 }, (_, i) => ({
          name: `tool_${i}`,
          description: `Tool number ${i}`,
          inputSchema: { type: 'object' as const, properties: {} },
        }))
      : TOOLS,
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    switch (request.params.name) {
      case 'echo':
        return { content: [{ type: 'text', text: `echo: ${String(args.text)}` }] };
      case 'fail':
        return { content: [{ type: 'text', text: 'the tool could not do it' }], isError: true };
      case 'slow':
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Number(args.ms));
          extra.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return { content: [{ type: 'text', text: 'slow done' }] };
      case 'image':
        return {
          content: [
            { type: 'text', text: 'here is the image' },
            { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
          ],
        };
      case 'huge':
        return { content: [{ type: 'text', text: 'x'.repeat(3 * 1024 * 1024) }] };
      case 'weird.name/with spaces':
        return { content: [{ type: 'text', text: 'weird ok' }] };
      default:
        return { content: [{ type: 'text', text: `no tool ${request.params.name}` }], isError: true };
    }
  });
  return server;
}
/* eslint-enable @typescript-eslint/no-deprecated */

/** A real MCP server (the SDK's, stateless streamable HTTP) on 127.0.0.1. */
export async function startMcpTestServer(): Promise<McpTestServer> {
  const authorizations: string[] = [];
  const httpServer = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/redirect') {
      res.writeHead(307, { location: 'http://10.255.255.1/mcp' }).end();
      return;
    }
    if (path !== '/mcp' && path !== '/many') {
      res.writeHead(404).end();
      return;
    }
    if (typeof req.headers.authorization === 'string') authorizations.push(req.headers.authorization);
    const server = mcpServer(path === '/many');
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, port, authorizations, close, [Symbol.asyncDispose]: close };
}

/**
 * A stdio MCP server with no dependencies (newline-delimited JSON-RPC), for the image's node: `hello` greets,
 * `env` lists its environment's names, `crash` exits mid-call.
 */
export const STDIO_SERVER_SCRIPT = `
const readline = require('node:readline');
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const tools = [
  { name: 'hello', description: 'Greets.', inputSchema: { type: 'object', properties: { name: { type: 'string' } } } },
  { name: 'env', description: 'Environment names.', inputSchema: { type: 'object', properties: {} } },
  { name: 'crash', description: 'Exits.', inputSchema: { type: 'object', properties: {} } },
];
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.method === 'initialize')
    send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'stdio-test', version: '1' } } });
  else if (m.method === 'tools/list') send({ jsonrpc: '2.0', id: m.id, result: { tools } });
  else if (m.method === 'tools/call') {
    const { name, arguments: args } = m.params;
    if (name === 'crash') process.exit(3);
    const text = name === 'hello' ? 'hello ' + args.name + ' from pid ' + process.pid : Object.keys(process.env).sort().join(',');
    send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text }] } });
  } else if (m.id !== undefined) send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'no method' } });
});
`;
