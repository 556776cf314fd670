/**
 * MCP call overhead: one tool call relayed by agentd (over the sandbox's call-home socket, as the runner makes
 * it: agentd checks the tool use against the gateway's record, calls the server with its guarded fetch and maps
 * the result) vs a direct SDK client call to the same server over the same loopback HTTP, in one run.
 *
 * The relayed calls are real tool uses of a real run: the scripted model asks for a long `bash` first and then
 * CALLS echo calls, so all of them are recorded and pending while bash sleeps; the benchmark, on the sandbox's
 * socket, executes them one by one, then cancels the run.
 */
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpTestServer } from '../support/mcp-test-server.js';
import { startTestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { fmt, percentile } from './stats.js';

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 200);
const WARMUP = 10;

function post(socketPath: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: '/v1/mcp/call', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function main(): Promise<void> {
  const mcp = await startMcpTestServer();
  const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-'));
  const d = await startTestDaemon({
    stateDir,
    env: { AGENTD_MCP_ALLOW_ADDRESSES: `127.0.0.1/32:${mcp.port}`, AGENTD_DISCONNECT_GRACE: '0' },
  });
  try {
    const tenantId = (await d.api('POST', '/api/tenants', { name: 'bench-mcp' })).body.id as string;
    await d.api('POST', `/api/tenants/${tenantId}/mcp-servers`, {
      name: 'bench',
      transport: 'http',
      url: `${mcp.url}/mcp`,
    });
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const total = CALLS + WARMUP;
    const lines = ['@tool bash {"command":"sleep 600"}'];
    for (let i = 0; i < total; i++) lines.push(`@tool mcp__bench__echo {"text":"call ${i}"}`);
    const res = await fetch(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ message: lines.join('\n') }),
    });
    if (!res.body) throw new Error('no stream');
    // Read until every tool call is announced (they are recorded by then).
    const calls: { id: string; input: unknown }[] = [];
    let runId = '';
    let buffer = '';
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    while (calls.length < total) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the run ended early');
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as {
          type: string;
          runId: string;
          toolUseId?: string;
          name?: string;
          input?: unknown;
        };
        runId = event.runId;
        if (event.type === 'tool_call' && event.name === 'mcp__bench__echo')
          calls.push({ id: String(event.toolUseId), input: event.input });
      }
    }
    const sandboxes = (await d.api('GET', '/api/admin/sandboxes')).body as {
      items?: { id: string; conversationId: string }[];
    };
    const sandbox = (sandboxes.items ?? []).find((s) => s.conversationId === conversationId);
    if (!sandbox) throw new Error('no sandbox');
    const socketPath = path.join(stateDir, 'sandboxes', sandbox.id, 'agentd.sock');

    const relayed: number[] = [];
    for (const [i, call] of calls.entries()) {
      const started = performance.now();
      const status = await post(socketPath, {
        runId,
        toolUseId: call.id,
        name: 'mcp__bench__echo',
        input: call.input,
      });
      if (status !== 200) throw new Error(`relayed call answered ${status}`);
      if (i >= WARMUP) relayed.push(performance.now() - started);
    }
    await d.api('POST', `/api/tenants/${tenantId}/conversations/${conversationId}/runs/${runId}/cancel`);
    await reader.cancel().catch(() => undefined);

    const client = new Client({ name: 'bench', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mcp.url}/mcp`)));
    const direct: number[] = [];
    for (let i = 0; i < total; i++) {
      const started = performance.now();
      await client.callTool({ name: 'echo', arguments: { text: `call ${i}` } });
      if (i >= WARMUP) direct.push(performance.now() - started);
    }
    await client.close();

    const rows = [
      ['relayed by agentd (sandbox socket → agentd → server)', relayed],
      ['direct SDK client → server', direct],
    ] as const;
    const out = ['| MCP tools/call | n | p50 ms | p99 ms |', '|---|---:|---:|---:|'];
    for (const [name, samples] of rows)
      out.push(
        `| ${name} | ${samples.length} | ${fmt(percentile(samples, 50))} | ${fmt(percentile(samples, 99))} |`,
      );
    const ratio50 = percentile(relayed, 50) / percentile(direct, 50);
    const ratio99 = percentile(relayed, 99) / percentile(direct, 99);
    out.push('', `relayed vs direct: p50 ${ratio50.toFixed(2)}x, p99 ${ratio99.toFixed(2)}x`);
    process.stdout.write(`${out.join('\n')}\n`);
    for (const p of [50, 99])
      recordResult({
        benchmark: 'mcp',
        measure: `tool call p${p}`,
        unit: 'ms',
        agentd: percentile(relayed, p),
        baseline: percentile(direct, p),
        baselineName: 'direct SDK client call to the same server',
        better: 'lower',
      });
  } finally {
    await d.destroy();
    await mcp.close();
  }
}

await main();
