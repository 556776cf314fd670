import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { bedrockEnv, startFakeBedrock } from '../support/fake-bedrock-server.js';
import {
  PNG_BASE64,
  startMcpTestServer,
  STDIO_SERVER_SCRIPT,
  type McpTestServer,
} from '../support/mcp-test-server.js';
import { sse, type SseMessage } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** Tenants' MCP servers against real servers: the SDK's over streamable HTTP on 127.0.0.1, and a stdio one in the sandbox. */
describe('MCP servers per tenant', () => {
  const secret = `sek-${randomId(24)}`;
  let mcp: McpTestServer;
  let d: TestDaemon;
  let stateDir: string;
  let tenantId: string;
  let demoId: string;

  beforeAll(async () => {
    mcp = await startMcpTestServer();
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-'));
    d = await startTestDaemon({
      stateDir,
      // The test server is on loopback: allowed explicitly, by address and port.
      env: { AGENTD_MCP_ALLOW_ADDRESSES: `127.0.0.1/32:${mcp.port}`, AGENTD_DISCONNECT_GRACE: '0' },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'mcp' })).body.id;
    const stored = await d.api('PUT', `/api/tenants/${tenantId}/secrets/MCP_TOKEN`, { value: secret });
    expect(stored.status).toBeLessThan(300);
    const demo = await d.api('POST', servers(), {
      name: 'demo',
      transport: 'http',
      url: `${mcp.url}/mcp`,
      headers: { Authorization: 'Bearer ${secret:MCP_TOKEN}' },
      timeoutMs: 1500,
    });
    expect(demo.status).toBe(201);
    demoId = demo.body.id;
  });
  afterAll(async () => {
    await d.destroy();
    await mcp.close();
  });

  const servers = (id?: string) => `/api/tenants/${tenantId}/mcp-servers${id === undefined ? '' : `/${id}`}`;

  async function conversation(mcpServers: string[] | null): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations`, { mcpServers });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  function run(conversationId: string, message: string, onEvent?: (e: SseMessage) => unknown) {
    return sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message },
      headers: { 'x-api-key': d.adminKey },
      ...(onEvent ? { onEvent } : {}),
    });
  }

  it('validates a server and never stores or shows a plaintext credential', async () => {
    const bad = await d.api('POST', servers(), {
      name: 'bad__name',
      transport: 'http',
      url: 'ftp://example.com/x',
      headers: { Authorization: 'Bearer plaintext-token' },
    });
    expect(bad.status).toBe(400);
    const issues = (bad.body.error.details.issues as string[]).join('\n');
    expect(issues).toMatch(/name:/);
    expect(issues).toMatch(/url: http or https only/);
    expect(issues).toMatch(/headers.Authorization: must contain a secret reference/);
    const stdioSecret = await d.api('POST', servers(), {
      name: 'leaky',
      transport: 'stdio',
      command: 'node',
      env: { TOKEN: '${secret:MCP_TOKEN}' },
    });
    expect(stdioSecret.status).toBe(400);
    expect(JSON.stringify(stdioSecret.body)).toMatch(/secret references are not allowed in a sandbox/);
    const duplicate = await d.api('POST', servers(), {
      name: 'demo',
      transport: 'http',
      url: `${mcp.url}/mcp`,
    });
    expect(duplicate.status).toBe(400);

    const listed = await d.api('GET', servers());
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: { name: string }) => s.name)).toEqual(['demo']);
    expect(listed.body.items[0].headers).toEqual({ Authorization: 'Bearer ${secret:MCP_TOKEN}' });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const audit = await d.api('GET', '/api/audit/log?action=mcp_server.create');
    expect(audit.body.items.some((e: { target: string }) => e.target === `mcp_server:${demoId}`)).toBe(true);
    // Another tenant cannot see it.
    const other = (await d.api('POST', '/api/tenants', { name: 'other' })).body.id as string;
    expect((await d.api('GET', `/api/tenants/${other}/mcp-servers/${demoId}`)).status).toBe(404);
  });

  it('checks servers: tools with their exposed names, a capped 10,000-tool listing, clear errors', async () => {
    const check = await d.api('POST', `${servers(demoId)}/check`);
    expect(check.status).toBe(200);
    expect(check.body.capped).toBe(false);
    const names = Object.fromEntries(
      check.body.tools.map((t: { name: string; exposedName: string }) => [t.name, t.exposedName]),
    );
    expect(names.echo).toBe('mcp__demo__echo');
    expect(names['weird.name/with spaces']).toMatch(/^mcp__demo__weird_name_with_spaces_[0-9a-f]{8}$/);
    expect(mcp.authorizations).toContain(`Bearer ${secret}`);

    const many = await d.api('POST', servers(), {
      name: 'many',
      transport: 'http',
      url: `${mcp.url}/many`,
      enabled: false,
    });
    const manyCheck = await d.api('POST', `${servers(many.body.id)}/check`);
    expect(manyCheck.status).toBe(200);
    expect(manyCheck.body).toMatchObject({ capped: true });
    expect(manyCheck.body.tools).toHaveLength(128);

    const redirect = await d.api('POST', servers(), {
      name: 'redir',
      transport: 'http',
      url: `${mcp.url}/redirect`,
      enabled: false,
    });
    const redirected = await d.api('POST', `${servers(redirect.body.id)}/check`);
    expect(redirected.status).toBe(502);
    expect(redirected.body.error.code).toBe('MCP_ERROR');
    expect(redirected.body.error.message).toMatch(/redirect/);

    // Loopback on another port is outside the allowed CIDR:port.
    const down = await d.api('POST', servers(), {
      name: 'down',
      transport: 'http',
      url: `http://127.0.0.1:${mcp.port + 1}/mcp`,
      enabled: false,
    });
    const downCheck = await d.api('POST', `${servers(down.body.id)}/check`);
    expect(downCheck.status).toBe(502);
    expect(downCheck.body.error.message).toMatch(/not allowed/);
    expect((await d.api('GET', '/health')).status).toBe(200);
  });

  it('runs MCP tools next to the built-ins: results, images, tool errors, timeouts; the secret never reaches the sandbox', async () => {
    const id = await conversation(['demo']);
    const res = await run(
      id,
      [
        '@tool mcp__demo__echo {"text":"hi"}',
        '@tool mcp__demo__fail {}',
        '@tool mcp__demo__slow {"ms":20000}',
        '@tool mcp__demo__huge {}',
        `@tool bash {"command":"(cat /proc/*/environ; grep -rs '' /workspace /tmp /run/agentd) 2>/dev/null | tr '\\\\0' '\\\\n' | grep -c ${secret.slice(4)} || true"}`,
        '@tool mcp__demo__image {}',
        '@result',
      ].join('\n'),
    );
    expect(res.done).toBe(true);
    const calls = res.events.filter((e) => e.data.type === 'tool_call').map((e) => e.data.name);
    expect(calls).toEqual([
      'mcp__demo__echo',
      'mcp__demo__fail',
      'mcp__demo__slow',
      'mcp__demo__huge',
      'bash',
      'mcp__demo__image',
    ]);
    const results = res.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data);
    expect(results[0]).toMatchObject({ output: 'echo: hi', isError: false });
    expect(results[1]).toMatchObject({ output: 'the tool could not do it', isError: true });
    expect(results[2]).toMatchObject({ isError: true });
    expect(String(results[2]?.output)).toMatch(/did not answer within 1500 ms/);
    expect(results[3]).toMatchObject({ isError: false, truncated: true });
    expect(String(results[3]?.output).length).toBeLessThan(3 * 1024 * 1024);
    expect(results[4]?.output).toMatch(/^0\b/);
    expect(String(results[5]?.output)).toMatch(/\[image image\/png, \d+ bytes\]/);
    // The model was given the image itself (the scripted model names what it received).
    const final = res.events.find((e) => e.data.type === 'final')?.data;
    expect(String(final?.content)).toMatch(/\[image png, \d+ bytes\]/);
    expect(JSON.stringify(res.events)).not.toContain(secret);
    const messages = await d.api('GET', `/api/tenants/${tenantId}/conversations/${id}/messages`);
    expect(JSON.stringify(messages.body)).not.toContain(secret);
    const metrics = await d.api('GET', '/metrics');
    expect(String(metrics.body)).toMatch(
      /agentd_mcp_calls_total\{tenant="[^"]+",server="demo",result="ok"\} [1-9]/,
    );
  });

  it('refuses and audits MCP calls the gateway did not produce this turn (made up, replayed, altered)', async () => {
    const id = await conversation(['demo']);
    const answers: { status: number; body: string }[] = [];
    const callIds: string[] = [];
    let attacked: Promise<void> | undefined;
    const res = await run(
      id,
      [
        '@tool mcp__demo__echo {"text":"a"}',
        '@tool bash {"command":"sleep 3"}',
        '@tool mcp__demo__echo {"text":"b"}',
        '@result',
      ].join('\n'),
      (event) => {
        if (event.data.type === 'tool_call') callIds.push(String(event.data.toolUseId));
        // While bash sleeps: the first echo is spent, the second is pending.
        if (event.data.type !== 'tool_result' || attacked) return;
        const runId = String(event.data.runId);
        attacked = (async () => {
          const socket = await sandboxSocket(id);
          for (const body of [
            { runId, toolUseId: 'tu_made_up', name: 'mcp__demo__echo', input: { text: 'x' } },
            { runId, toolUseId: callIds[0] ?? '', name: 'mcp__demo__echo', input: { text: 'a' } },
            { runId, toolUseId: callIds[2] ?? '', name: 'mcp__demo__echo', input: { text: 'evil' } },
          ])
            answers.push(await post(socket, '/v1/mcp/call', body));
        })();
      },
    );
    await attacked;
    expect(res.done).toBe(true);
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403]);
    const results = res.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data.output);
    expect(results).toEqual(['echo: a', '[exit code 0]', 'echo: b']);
    const audit = await d.api('GET', '/api/audit/log?action=mcp.call.refused');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(3);
  });

  it('runs a stdio server from the workspace inside the sandbox; its crash is a tool error, not a failed run', async () => {
    const local = await d.api('POST', servers(), {
      name: 'local',
      transport: 'stdio',
      command: 'node',
      args: ['/workspace/mcp-stdio.js'],
      env: { GREETING_MODE: 'plain' },
    });
    expect(local.status).toBe(201);
    const id = await conversation(['local']);
    const upload = await fetch(
      `${d.url}/api/tenants/${tenantId}/conversations/${id}/workspace/files/mcp-stdio.js`,
      {
        method: 'PUT',
        headers: { 'x-api-key': d.adminKey, 'content-type': 'application/octet-stream' },
        body: STDIO_SERVER_SCRIPT,
      },
    );
    expect(upload.status).toBeLessThan(300);
    const res = await run(
      id,
      [
        '@tool mcp__local__hello {"name":"agent"}',
        '@tool mcp__local__env {}',
        '@tool mcp__local__crash {}',
        '@tool mcp__local__hello {"name":"again"}',
        '@say done',
      ].join('\n'),
    );
    expect(res.done).toBe(true);
    const results = res.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data);
    expect(String(results[0]?.output)).toMatch(/^hello agent from pid \d+$/);
    expect(String(results[1]?.output)).toContain('GREETING_MODE');
    expect(String(results[1]?.output)).not.toMatch(/AGENTD_/);
    expect(results[2]).toMatchObject({ isError: true });
    expect(results[3]).toMatchObject({ isError: true });
    expect(res.events.at(-2)?.data.type).toBe('final');
  });

  it('leaves out a server that lists 10,000 tools (cut to 128) or is refused, with warnings; the run goes on', async () => {
    const listed = (await d.api('GET', servers())).body.items as { id: string; name: string }[];
    for (const name of ['many', 'redir']) {
      const server = listed.find((s) => s.name === name);
      const current = (await d.api('GET', servers(server?.id))).body;
      const { id: _i, tenantId: _t, createdAt: _c, updatedAt: _u, ...body } = current;
      expect((await d.api('PUT', servers(server?.id), { ...body, enabled: true })).status).toBe(200);
    }
    const id = await conversation(['many', 'redir']);
    const res = await run(id, '@tool mcp__many__tool_7 {}\n@result');
    expect(res.done).toBe(true);
    const warnings = res.events.filter((e) => e.data.type === 'warning').map((e) => String(e.data.message));
    expect(warnings.some((w) => /many lists more than 128 tools/.test(w))).toBe(true);
    expect(warnings.some((w) => /redir is unavailable for this run: .*redirect/.test(w))).toBe(true);
    const result = res.events.find((e) => e.data.type === 'tool_result')?.data;
    expect(result).toMatchObject({ isError: true });
    expect(res.events.at(-2)?.data.type).toBe('final');
  });

  it('offers MCP tools to a Bedrock model through the real SDK and gives it the image', async () => {
    const bedrock = await startFakeBedrock();
    const b = await startTestDaemon({
      env: {
        ...bedrockEnv(bedrock),
        AGENTD_MCP_ALLOW_ADDRESSES: `127.0.0.1/32:${mcp.port}`,
      },
    });
    try {
      await b.api('POST', '/api/models', {
        id: 'claude-test',
        name: 'Claude (test)',
        provider: 'bedrock',
        bedrockModelId: 'anthropic.claude-test-v1:0',
        inputPricePerMTok: '3',
        outputPricePerMTok: '15',
      });
      const tenant = (
        await b.api('POST', '/api/tenants', { name: 'bedrock-mcp', defaultModelId: 'claude-test' })
      ).body.id;
      await b.api('POST', `/api/tenants/${tenant}/mcp-servers`, {
        name: 'demo',
        transport: 'http',
        url: `${mcp.url}/mcp`,
      });
      const conv = (await b.api('POST', `/api/tenants/${tenant}/conversations`, {})).body.id;
      bedrock.script(
        [{ toolUse: { id: 'tu_img', name: 'mcp__demo__image', input: {} } }, { stop: 'tool_use' }],
        [{ text: 'I see a tiny image.' }, { stop: 'end_turn' }],
      );
      const res = await sse(`${b.url}/api/tenants/${tenant}/conversations/${conv}/stream`, {
        body: { message: 'Show me the image.' },
        headers: { 'x-api-key': b.adminKey },
      });
      expect(res.done).toBe(true);
      const first = bedrock.requests[0]?.body as { toolConfig: { tools: { toolSpec: { name: string } }[] } };
      expect(first.toolConfig.tools.map((t) => t.toolSpec.name)).toContain('mcp__demo__image');
      const second = JSON.stringify(bedrock.requests[1]?.body);
      expect(second).toContain('"image":{"format":"png","source":{"bytes":"');
      expect(second).toContain(PNG_BASE64);
      expect(res.events.find((e) => e.data.type === 'final')?.data.content).toBe('I see a tiny image.');
    } finally {
      await b.destroy();
      await bedrock.close();
    }
  });

  /** The conversation's sandbox socket, as code inside that sandbox reaches it (the socket is the identity). */
  async function sandboxSocket(conversationId: string): Promise<string> {
    const list = await d.api('GET', '/api/admin/sandboxes');
    const items = (list.body.items ?? list.body) as { id: string; conversationId: string | null }[];
    const sandbox = items.find((s) => s.conversationId === conversationId);
    if (!sandbox) throw new Error(`no sandbox for ${conversationId}`);
    return path.join(stateDir, 'sandboxes', sandbox.id, 'agentd.sock');
  }
});

function post(socketPath: string, urlPath: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: urlPath, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
