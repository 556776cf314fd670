import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, serveStatic, type StaticSite, type TestBrowser } from '../support/browser.js';
import { cuttingProxy, type CuttingProxy } from '../support/cutting-proxy.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** A page of another origin following a run with the browser's own EventSource and a run ticket. */
const PAGE = `<!doctype html>
<html><body><h1>agentd run</h1><pre id="log"></pre>
<script>
  const log = document.getElementById('log');
  window.state = { events: [], opens: 0, errors: 0, closed: false };
  const es = new EventSource(new URLSearchParams(location.hash.slice(1)).get('url'));
  es.onopen = () => { window.state.opens += 1; };
  es.onmessage = (e) => {
    const data = JSON.parse(e.data);
    window.state.events.push({ id: e.lastEventId, type: data.type, seq: data.seq });
    log.textContent += e.lastEventId + ' ' + data.type + (data.delta ? ' ' + data.delta : '') + '\\n';
  };
  es.onerror = () => {
    window.state.errors += 1;
    if (es.readyState === EventSource.CLOSED) window.state.closed = true;
  };
</script></body></html>`;

interface PageState {
  events: { id: string; type: string; seq: number }[];
  opens: number;
  errors: number;
  closed: boolean;
}

describe('a browser follows a run with EventSource and a run ticket (headless Chromium)', () => {
  let site: StaticSite;
  let d: TestDaemon;
  let browser: TestBrowser;
  let proxy: CuttingProxy;
  let tenantId: string;

  beforeAll(async () => {
    site = await serveStatic({ '/run.html': PAGE });
    d = await startTestDaemon({ env: { CORS_ORIGINS: site.origin, AGENTD_SSE_RETRY: '300ms' } });
    proxy = await cuttingProxy(Number(new URL(d.url ?? '').port));
    browser = await launchBrowser();
    tenantId = (await d.api('POST', '/api/tenants', { name: 'browser-sse' })).body.id as string;
  });
  afterAll(async () => {
    await browser[Symbol.asyncDispose]();
    await proxy[Symbol.asyncDispose]();
    await d.destroy();
    await site[Symbol.asyncDispose]();
  });

  it('resumes after a dropped connection with Last-Event-ID and stops once the run has ended', async () => {
    const conversation = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const base = `/api/tenants/${tenantId}/conversations/${conversation}`;
    // The platform's backend starts the run (its key never reaches the page) and gets a run ticket.
    const query = fetch(`${d.url}${base}/query`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: [
          '@say Part one.',
          '@tool bash {"command":"sleep 1"}',
          '@say Part two.',
          '@tool bash {"command":"sleep 1"}',
          '@say Done.',
        ].join('\n'),
      }),
    });
    const runId = (await query).headers.get('x-run-id') ?? '';
    const ticket = await d.api('POST', `${base}/runs/${runId}/tickets`);
    expect(ticket.status).toBe(201);
    const url = `http://127.0.0.1:${proxy.port}${base}/runs/${runId}/events?ticket=${ticket.body.ticket as string}`;

    const page = await browser.page();
    await page.goto(`${site.origin}/run.html#url=${encodeURIComponent(url)}`);
    const state = (): Promise<PageState> =>
      page.evaluate(() => (globalThis as unknown as { state: PageState }).state);
    await expect
      .poll(async () => (await state()).events.length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    // The network drops mid-run: EventSource reconnects by itself, sending the last id it saw.
    proxy.cut();
    await expect.poll(async () => (await state()).closed, { timeout: 30_000 }).toBe(true);
    await browser.screenshot(page, 'event-source-run');

    const seen = await state();
    const seqs = seen.events.map((e) => e.seq);
    // Every event exactly once, in order, across the reconnect.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seen.events.map((e) => e.id)).toEqual(seqs.map(String));
    expect(seen.events.slice(-2).map((e) => e.type)).toEqual(['final', 'usage']);
    expect(seen.opens).toBeGreaterThanOrEqual(2);
    // After the end the browser reconnected once more and got 204: it stays closed, no reconnect loop.
    const connections = proxy.connections;
    await sleep(1_500);
    expect(proxy.connections).toBe(connections);
    expect(await (await query).json()).toMatchObject({ status: 'succeeded' });
    expect(browser.console.filter((line) => line.startsWith('pageerror'))).toEqual([]);
  });

  it('refuses the page without a ticket, and with a ticket of another run', async () => {
    const conversation = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const base = `/api/tenants/${tenantId}/conversations/${conversation}`;
    const first = await d.api('POST', `${base}/query`, { message: '@say one' });
    const second = await d.api('POST', `${base}/query`, { message: '@say two' });
    const ticket = (await d.api('POST', `${base}/runs/${first.body.runId as string}/tickets`)).body
      .ticket as string;
    const page = await browser.page();
    await page.goto(`${site.origin}/run.html#url=about:blank`);
    const status = (url: string): Promise<number> =>
      page.evaluate(async (u) => (await fetch(u)).status, `${d.url}${url}`);
    expect(await status(`${base}/runs/${second.body.runId as string}/events`)).toBe(401);
    expect(await status(`${base}/runs/${second.body.runId as string}/events?ticket=${ticket}`)).toBe(404);
  });
});
