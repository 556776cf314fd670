import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's chromium (scripts/prerequisites.sh installs it); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of browser tests, kept after the run (git-ignored). */
export const ARTIFACTS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-artifacts',
);

export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
  /** A fresh page that logs its console into `console`, so a failing test shows what the page said. */
  page(): Promise<Page>;
  console: string[];
  /** Saves a screenshot of `page` as test-artifacts/browser/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>;
}

/** One headless Chromium per test file. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI: Chromium's own sandbox needs an unprivileged user; the page only talks to 127.0.0.1.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const lines: string[] = [];
  return {
    browser,
    console: lines,
    async page() {
      const page = await browser.newPage();
      page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (err) => lines.push(`pageerror: ${String(err)}`));
      return page;
    },
    async screenshot(page, name) {
      const dir = path.join(ARTIFACTS, 'browser');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}

export interface StaticSite extends AsyncDisposable {
  /** The site's origin, e.g. http://127.0.0.1:43121 (another origin than agentd's: CORS applies). */
  origin: string;
}

/** Serves fixed pages on 127.0.0.1, each path -> HTML, like a platform's web app would. */
export async function serveStatic(pages: Record<string, string>): Promise<StaticSite> {
  const server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
