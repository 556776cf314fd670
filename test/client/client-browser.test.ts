import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { cuttingProxy, type CuttingProxy } from '../support/cutting-proxy.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** A platform's page of another origin: it imports the bundle and renders events as text. */
const PAGE = `<!doctype html>
<html><body><h1>@agentd/client in a page</h1><pre id="log"></pre>
<script type="module">
  import { AgentdClient, AgentdError } from './agentd-client.js';
  const log = document.getElementById('log');
  window.state = { events: [], done: false, error: null };
  const show = (e) => {
    window.state.events.push({ seq: e.seq, type: e.type });
    log.textContent += (e.seq ?? '') + ' ' + e.type + (e.delta ? ' ' + e.delta : '') + '\\n';
  };
  const follow = async (work) => {
    window.state = { events: [], done: false, error: null };
    try { await work(); window.state.done = true; }
    catch (err) { window.state.error = err instanceof AgentdError ? err.code : String(err); }
  };
  // A run the backend started, followed with a run ticket: no credential in the page.
  window.followRun = (o) => follow(async () => {
    const client = new AgentdClient({ baseUrl: o.baseUrl });
    const stream = client.runs.events(o.tenantId, o.conversationId, o.runId, { ticket: o.ticket });
    for await (const e of stream) show(e);
    window.state.resumes = stream.resumes;
  });
  // A run started from the page with a bearer credential (a JWT in production; a key in this test).
  window.streamRun = (o) => follow(async () => {
    const client = new AgentdClient({ baseUrl: o.baseUrl, token: () => o.token });
    const stream = client.runs.stream(o.tenantId, o.conversationId, o.message);
    for await (const e of stream) show(e);
    window.state.final = stream.final?.content;
  });
  // A WebSocket with a conversation ticket from the backend.
  window.chat = (o) => follow(async () => {
    const client = new AgentdClient({ baseUrl: o.baseUrl });
    const socket = await client.sockets.conversation(o.tenantId, o.conversationId, { ticket: o.ticket });
    for await (const m of socket.chat(o.message)) show(m);
    socket.close();
  });
  window.missing = (o) => follow(async () => {
    await new AgentdClient({ baseUrl: o.baseUrl, token: o.token }).conversations.get(o.tenantId, 'nope');
  });
</script></body></html>`;

interface PageState {
  events: { seq?: number; type: string }[];
  done: boolean;
  error: string | null;
  resumes?: number;
  final?: string;
}

describe('@agentd/client bundled for browsers, in headless Chromium against a running agentd', () => {
  let d: TestDaemon;
  let proxy: CuttingProxy;
  let browser: TestBrowser;
  let site: http.Server;
  let origin = '';
  let tenantId = '';
  let tenantKey = '';

  beforeAll(async () => {
    // The browser bundle as a platform would ship it: ESM, minified, everything inlined.
    const bundle = await build({
      entryPoints: ['client/src/index.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
    });
    const code = bundle.outputFiles[0]?.contents ?? new Uint8Array();
    console.log(
      `@agentd/client browser bundle: ${code.length} bytes minified, ${gzipSync(code).length} gzipped`,
    );
    site = http.createServer((req, res) => {
      if (req.url === '/agentd-client.js')
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    d = await startTestDaemon({ env: { CORS_ORIGINS: origin } });
    proxy = await cuttingProxy(Number(new URL(d.url ?? '').port));
    browser = await launchBrowser();
    tenantId = (await d.api('POST', '/api/tenants', { name: 'client-browser' })).body.id as string;
    tenantKey = (await d.api('POST', '/api/keys', { name: 'page', scope: 'tenant', tenantId })).body
      .key as string;
  });
  afterAll(async () => {
    await browser[Symbol.asyncDispose]();
    await proxy[Symbol.asyncDispose]();
    await d.destroy();
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });

  const newConversation = async (): Promise<string> =>
    (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {}, tenantKey)).body.id as string;
  const openPage = async () => {
    const page = await browser.page();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'followRun' in globalThis);
    const state = (): Promise<PageState> =>
      page.evaluate(() => (globalThis as unknown as { state: PageState }).state);
    return { page, state };
  };

  it('follows a run with a run ticket through a cut connection: every event once, to the end', async () => {
    const conversationId = await newConversation();
    const base = `/api/tenants/${tenantId}/conversations/${conversationId}`;
    // The backend starts the run (its key never reaches the page) and hands the page a run ticket.
    const query = fetch(`${d.url}${base}/query`, {
      method: 'POST',
      headers: { 'x-api-key': tenantKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        message:
          '@say Part one.\n@tool bash {"command":"sleep 1"}\n@say Part two.\n@tool bash {"command":"sleep 1"}\n@say Done.',
      }),
    });
    const runId = (await query).headers.get('x-run-id') ?? '';
    const ticket = (await d.api('POST', `${base}/runs/${runId}/tickets`, undefined, tenantKey)).body
      .ticket as string;

    const { page, state } = await openPage();
    const options = { baseUrl: `http://127.0.0.1:${proxy.port}`, tenantId, conversationId, runId, ticket };
    void page.evaluate(
      (o) => (globalThis as unknown as { followRun(o: unknown): Promise<void> }).followRun(o),
      options,
    );
    await expect
      .poll(async () => (await state()).events.length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    proxy.cut();
    await expect
      .poll(async () => (await state()).done || (await state()).error, { timeout: 30_000 })
      .toBe(true);
    await browser.screenshot(page, 'client-run-ticket');

    const seen = await state();
    expect(seen.error).toBeNull();
    const seqs = seen.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seen.events.slice(-2).map((e) => e.type)).toEqual(['final', 'usage']);
    expect(seen.resumes).toBeGreaterThanOrEqual(1);
    expect(await (await query).json()).toMatchObject({ status: 'succeeded' });
    expect(browser.console.filter((line) => line.startsWith('pageerror'))).toEqual([]);
  });

  it('starts and streams a run from the page, chats over a WebSocket, and reports typed errors', async () => {
    const conversationId = await newConversation();
    const { page, state } = await openPage();
    const call = (fn: string, o: Record<string, unknown>): Promise<void> =>
      page.evaluate(
        (name, args) =>
          (globalThis as unknown as Record<string, (a: unknown) => Promise<void>>)[name]?.(args),
        fn,
        { baseUrl: d.url, tenantId, conversationId, ...o },
      );

    await call('streamRun', { token: tenantKey, message: '@say Hello from the page' });
    let seen = await state();
    expect(seen.error).toBeNull();
    expect(seen.events[0]?.type).toBe('run_start');
    expect(seen.final).toContain('Hello from the page');

    const ticket = (
      await d.api(
        'POST',
        `/api/tenants/${tenantId}/conversations/${conversationId}/tickets`,
        undefined,
        tenantKey,
      )
    ).body.ticket as string;
    await call('chat', { ticket, message: '@say Hello over WebSocket' });
    seen = await state();
    expect(seen.error).toBeNull();
    expect(seen.events.at(-1)?.type).toBe('end');
    expect(seen.events.some((e) => e.type === 'text')).toBe(true);
    await browser.screenshot(page, 'client-page-stream-and-chat');

    await call('missing', { token: tenantKey });
    expect((await state()).error).toBe('NOT_FOUND');
  });
});
