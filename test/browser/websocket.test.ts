import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantWithKey } from '../api/api-client.js';
import { launchBrowser, serveStatic, type StaticSite, type TestBrowser } from '../support/browser.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** A page of another origin driving agentd with the browser's own WebSocket: sockets by index, all they saw. */
const PAGE = `<!doctype html>
<html><body><h1>agentd WebSocket</h1><pre id="log"></pre>
<script>
  const log = document.getElementById('log');
  const line = (text) => { log.textContent += text + '\\n'; };
  const sockets = [];
  window.sockets = [];
  window.openSocket = (url) => {
    const n = sockets.length;
    const state = { opened: false, messages: [], closed: null };
    const ws = new WebSocket(url);
    sockets.push(ws);
    window.sockets.push(state);
    ws.onopen = () => { state.opened = true; line('#' + n + ' open'); };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      state.messages.push(m);
      line('#' + n + ' ' + m.type + (m.seq ? ' ' + m.seq : '') + ' ' + (m.delta ?? m.status ?? m.code ?? ''));
    };
    ws.onclose = (e) => {
      state.closed = { code: e.code, reason: e.reason };
      line('#' + n + ' close ' + e.code + ' ' + e.reason);
    };
    return n;
  };
  window.sendText = (n, text) => sockets[n].send(text);
  window.closeSocket = (n) => sockets[n].close(1000);
</script></body></html>`;

interface Message {
  id: string;
  type: string;
  timestamp: string;
  seq?: number;
  runId?: string;
  [key: string]: unknown;
}
interface SocketState {
  opened: boolean;
  messages: Message[];
  closed: { code: number; reason: string } | null;
}
interface PageApi {
  sockets: SocketState[];
  openSocket(url: string): number;
  sendText(n: number, text: string): void;
  closeSocket(n: number): void;
}

/**
 * One of the page's sockets, read from the test: `next` waits on what the page received (no sleeps). The
 * functions given to `page.evaluate` run in the page, so they may use nothing of this module.
 */
class PageSocket {
  #cursor = 0;
  private constructor(
    readonly page: Page,
    readonly n: number,
  ) {}

  /** Resolves once the upgrade is done (a refused connection then closes with its code) or it failed. */
  static async open(page: Page, url: string): Promise<PageSocket> {
    const socket = new PageSocket(
      page,
      await page.evaluate((u) => (globalThis as unknown as PageApi).openSocket(u), url),
    );
    await expect
      .poll(async () => {
        const { opened, closed } = await socket.state();
        return opened || closed !== null;
      })
      .toBe(true);
    return socket;
  }

  state(): Promise<SocketState> {
    return this.page.evaluate((n) => (globalThis as unknown as PageApi).sockets[n] as SocketState, this.n);
  }

  async send(message: unknown): Promise<void> {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    await this.page.evaluate((n, t) => (globalThis as unknown as PageApi).sendText(n, t), this.n, text);
  }

  /** The next message after those already taken that matches; fails if the socket closes first. */
  async next(match: (m: Message) => boolean = () => true): Promise<Message> {
    let found: Message | undefined;
    await expect
      .poll(
        async () => {
          const { messages, closed } = await this.state();
          while (this.#cursor < messages.length) {
            const m = messages[this.#cursor++] as Message;
            if (match(m)) {
              found = m;
              return true;
            }
          }
          if (closed) throw new Error(`socket closed while waiting: ${JSON.stringify(closed)}`);
          return false;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    return found as Message;
  }

  /** Messages up to and including the next `end`. */
  async untilEnd(): Promise<Message[]> {
    const start = this.#cursor;
    await this.next((m) => m.type === 'end');
    return (await this.state()).messages.slice(start, this.#cursor);
  }

  /** The CloseEvent the page saw (code and reason). */
  async closed(): Promise<{ code: number; reason: string }> {
    await expect.poll(async () => (await this.state()).closed, { timeout: 15_000 }).not.toBeNull();
    return (await this.state()).closed as { code: number; reason: string };
  }

  close(): Promise<void> {
    return this.page.evaluate((n) => (globalThis as unknown as PageApi).closeSocket(n), this.n);
  }
}

describe('a browser chats over WebSocket with conversation tickets (headless Chromium)', () => {
  let site: StaticSite;
  let elsewhere: StaticSite;
  let d: TestDaemon;
  let browser: TestBrowser;

  beforeAll(async () => {
    site = await serveStatic({ '/ws.html': PAGE });
    // Same page, another origin that CORS_ORIGINS does not list.
    elsewhere = await serveStatic({ '/ws.html': PAGE });
    d = await startTestDaemon({
      env: {
        CORS_ORIGINS: site.origin,
        WS_MAX_CONNECTIONS_PER_PRINCIPAL: '2',
        AGENTD_DISCONNECT_GRACE: '30s',
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser[Symbol.asyncDispose]();
    await d.destroy();
    await elsewhere[Symbol.asyncDispose]();
    await site[Symbol.asyncDispose]();
  });

  /** The platform's backend: a tenant and its key, which never reaches the page; it hands out tickets. */
  async function backend(name: string) {
    const tenant = await tenantWithKey(d, name);
    const conversation = (await d.api('POST', `/api/tenants/${tenant.id}/conversations`, {}, tenant.key)).body
      .id as string;
    const path = `/api/tenants/${tenant.id}/conversations/${conversation}`;
    const ticket = async (): Promise<string> => {
      const res = await d.api('POST', `${path}/tickets`, undefined, tenant.key);
      expect(res.status).toBe(201);
      return res.body.ticket as string;
    };
    const wsUrl = (t: string): string => `${(d.url ?? '').replace(/^http/, 'ws')}${path}/ws?ticket=${t}`;
    return { ticket, wsUrl };
  }

  async function page(from: StaticSite = site): Promise<Page> {
    const p = await browser.page();
    await p.goto(`${from.origin}/ws.html`);
    return p;
  }

  it('chats end to end, answers ping and an invalid message, and cancels a running run', async () => {
    const { ticket, wsUrl } = await backend('browser-ws-chat');
    const p = await page();
    const ws = await PageSocket.open(p, wsUrl(await ticket()));
    await ws.send({ type: 'ping' });
    expect((await ws.next()).type).toBe('pong');

    await ws.send('{not json');
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED', recoverable: false });
    await ws.send({ type: 'launch' });
    expect(await ws.next()).toMatchObject({ type: 'error', message: /unknown message type/ });

    // Still usable after the errors: a whole turn, every event in order, then `end`.
    await ws.send({
      type: 'chat',
      content: '@tool write_file {"path":"a.txt","content":"hi"}\n@say Hello, browser.',
    });
    const run = await ws.untilEnd();
    const events = run.filter((m) => m.seq !== undefined);
    expect(events.map((m) => m.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run_start');
    expect(events.map((m) => m.type)).toContain('tool_call');
    expect(events.slice(-2).map((m) => m.type)).toEqual(['final', 'usage']);
    expect(events.find((m) => m.type === 'final')?.content).toMatch(/Hello, browser\./);
    expect(run.at(-1)).toMatchObject({ type: 'end', runId: events[0]?.runId, status: 'succeeded' });
    for (const m of run) expect(Date.parse(m.timestamp)).toBeGreaterThan(0);
    expect(new Set(run.map((m) => m.id)).size).toBe(run.length);

    await ws.send({ type: 'chat', content: '@say working\n@sleep 60000\n@say never' });
    const working = await ws.next((m) => m.type === 'text');
    await ws.send({ type: 'cancel' });
    expect(await ws.next((m) => m.type === 'end')).toMatchObject({
      runId: working.runId,
      status: 'cancelled',
    });
    await browser.screenshot(p, 'websocket-chat');
    await ws.close();
    expect((await ws.closed()).code).toBe(1000);
    expect(browser.console.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  it('resumes a run after reconnecting with a new ticket; the used ticket is refused with 4001', async () => {
    const { ticket, wsUrl } = await backend('browser-ws-resume');
    const p = await page();
    const first = await ticket();
    const ws = await PageSocket.open(p, wsUrl(first));
    await ws.send({ type: 'chat', content: '@say one\n@sleep 1500\n@say two' });
    const text = await ws.next((m) => m.type === 'text');
    await ws.close();
    await ws.closed();

    const reused = await PageSocket.open(p, wsUrl(first));
    expect(await reused.closed()).toEqual({ code: 4001, reason: expect.stringMatching(/ticket/) as string });

    const again = await PageSocket.open(p, wsUrl(await ticket()));
    await again.send({ type: 'resume', runId: text.runId, lastEventId: text.seq });
    const rest = await again.untilEnd();
    expect(rest[0]?.seq).toBe(Number(text.seq) + 1);
    expect(rest.map((m) => m.seq).filter((s) => s !== undefined)).toEqual(
      rest.slice(0, -1).map((_, i) => Number(text.seq) + 1 + i),
    );
    expect(rest.find((m) => m.type === 'final')?.content).toMatch(/one\s+two/);
    expect(rest.at(-1)).toMatchObject({ type: 'end', runId: text.runId, status: 'succeeded' });
    await browser.screenshot(p, 'websocket-resume');
    await again.close();
  });

  it('refuses a page of a disallowed origin (1008) and connections past the per-key cap (1008)', async () => {
    const { ticket, wsUrl } = await backend('browser-ws-refusals');
    const foreign = await page(elsewhere);
    const t = await ticket();
    const refused = await PageSocket.open(foreign, wsUrl(t));
    expect(await refused.closed()).toEqual({ code: 1008, reason: 'origin not allowed' });
    await browser.screenshot(foreign, 'websocket-origin-refused');

    // The origin is checked before the ticket is consumed: the same ticket still works from the allowed page.
    const p = await page();
    const held = [await PageSocket.open(p, wsUrl(t)), await PageSocket.open(p, wsUrl(await ticket()))];
    for (const ws of held) {
      await ws.send({ type: 'ping' });
      expect((await ws.next()).type).toBe('pong');
    }
    const over = await PageSocket.open(p, wsUrl(await ticket()));
    expect(await over.closed()).toEqual({ code: 1008, reason: expect.stringMatching(/too many/) as string });
    await browser.screenshot(p, 'websocket-cap');
  });
});
