import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** Screenshots of this suite, kept after the run (git-ignored): test-artifacts/console/<name>.png. */
const SHOTS = path.join(ARTIFACTS, 'console');

/** Markup a sandbox could print: it must reach the console's DOM as text, never as elements or script. */
const HOSTILE = '<script>window.pwned = "script"</script><img src=x onerror="window.pwned = 1">';

describe('web console at /console (headless Chromium against a running agentd)', () => {
  let d: TestDaemon;
  let browser: TestBrowser;
  let page: Page;
  let tenantId: string;
  let conversationId: string;
  let sandboxId: string;
  let removedSandboxId: string;

  const base = () => `/api/tenants/${tenantId}/conversations/${conversationId}`;
  const shot = async (name: string) => {
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const text = (selector: string) => page.$eval(selector, (node) => node.textContent).catch(() => '');
  const editorValue = () =>
    page.$eval('[data-testid=policy-editor]', (t) => (t as unknown as { value: string }).value);
  /** The run view says so once agentd answered 204 after the run's last event. */
  const ended = () =>
    expect.poll(() => text('[data-testid=run-stream-state]'), { timeout: 30_000 }).toMatch(/^Run ended/);
  /** Opens a page of the console, signed in with the admin key unless `signedIn` is false. */
  const open = async (hash: string, ready: string, signedIn = true) => {
    await page.goto(`${d.url ?? ''}/console/${hash}`);
    await page.evaluate(
      (key) => (key === null ? sessionStorage.clear() : sessionStorage.setItem('agentd.apiKey', key)),
      signedIn ? d.adminKey : null,
    );
    await page.reload();
    await page.waitForSelector(ready, { timeout: 30_000 });
  };

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_POOL_SIZE: '1' } });
    browser = await launchBrowser();
    page = await browser.page();
    tenantId = (await d.api('POST', '/api/tenants', { name: 'console-acme' })).body.id as string;
    const priced = await d.api('POST', '/api/models', {
      name: 'priced-scripted',
      provider: 'scripted',
      inputPricePerMTok: '3',
      outputPricePerMTok: '15',
    });
    expect(priced.status).toBe(201);
    conversationId = (
      await d.api('POST', `/api/tenants/${tenantId}/conversations`, {
        title: 'console demo',
        modelId: priced.body.id,
      })
    ).body.id as string;
    // One run leaves an idle (frozen) sandbox; a second conversation's sandbox is force-removed: a reap.
    const first = await d.api('POST', `${base()}/query`, { message: '@say Hello console.' });
    expect(first.body.status).toBe('succeeded');
    sandboxId = (await d.api('GET', `${base()}/runs/${first.body.runId as string}`)).body.sandboxId as string;
    const other = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
    const second = await d.api('POST', `/api/tenants/${tenantId}/conversations/${other}/query`, {
      message: '@say Short-lived.',
    });
    removedSandboxId = (
      await d.api(
        'GET',
        `/api/tenants/${tenantId}/conversations/${other}/runs/${second.body.runId as string}`,
      )
    ).body.sandboxId as string;
    expect((await d.api('DELETE', `/api/admin/sandboxes/${removedSandboxId}`)).status).toBe(200);
  });
  afterAll(async () => {
    await browser[Symbol.asyncDispose]();
    await d.destroy();
  });

  it('serves its own files only, with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${d.url ?? ''}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = (res.headers.get('content-security-policy') ?? '').split(/;\s*/);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "require-trusted-types-for 'script'",
    ])
      expect(csp).toContain(directive);
    const js = await fetch(`${d.url ?? ''}/console/js/main.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('content-security-policy')).toBe(res.headers.get('content-security-policy'));
    for (const missing of ['/console/js/nope.js', '/console/..%2Fpackage.json', '/console/tsconfig.json'])
      expect((await fetch(`${d.url ?? ''}${missing}`)).status, missing).toBe(404);
    // The page's HTML carries no inline script or style for the policy to have to allow.
    expect(await res.text()).not.toMatch(/<script>|<style|style=/);
  });

  it('signs in with an API key kept in session storage, and refuses a wrong one', async () => {
    await open('', '[data-testid=api-key]', false);
    await page.type('[data-testid=api-key]', 'agd_not-a-key');
    await page.click('[data-testid=sign-in]');
    await expect.poll(() => text('[data-testid=sign-in-error]')).toContain('UNAUTHENTICATED');
    await page.$eval(
      '[data-testid=api-key]',
      (input) => ((input as unknown as { value: string }).value = ''),
    );
    await page.type('[data-testid=api-key]', d.adminKey);
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('[data-testid=operators-live] table', { timeout: 30_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('agentd.apiKey'))).toBe(d.adminKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('operators: sandboxes per node with state, tenant and live usage; the warm pool; reaps with reasons', async () => {
    await open('#/operators', `[data-testid=sandboxes-${d.config.nodeId}]`);
    await expect
      .poll(() => text(`[data-testid=sandboxes-${d.config.nodeId}]`), { timeout: 30_000 })
      .toContain(sandboxId);
    const sandboxes = (await d.api('GET', '/api/admin/sandboxes')).body.items as {
      id: string;
      state: string;
      frozen: boolean;
    }[];
    const cells = await page.$$eval(
      `[data-testid=sandboxes-${d.config.nodeId}] tbody tr`,
      (rows, id) =>
        [...(rows.find((r) => r.textContent.includes(id))?.querySelectorAll('td') ?? [])].map(
          (td) => td.textContent,
        ),
      sandboxId,
    );
    const api = sandboxes.find((s) => s.id === sandboxId);
    expect(api).toBeDefined();
    expect(cells[1]).toBe(api?.frozen ? `${api.state} · frozen` : api?.state);
    expect(cells[2]).toBe(tenantId);
    expect(cells[3]).toBe(conversationId);
    // CPU seconds, memory used / limit and pids / limit, read live from the sandbox's cgroup.
    expect(cells[7]).toMatch(/^\d+\.\d\d s$/);
    expect(cells[8]).toMatch(/\d+(\.\d)? (B|KiB|MiB) \/ \d+(\.\d)? (MiB|GiB)/);
    expect(cells[9]).toMatch(/^\d+ \/ \d+$/);
    expect(await text('[data-testid=pool]')).toMatch(/standard/);
    const reaps = await text('[data-testid=reaps]');
    expect(reaps).toContain(removedSandboxId);
    expect(reaps).toContain('manual');
    await shot('operators');
  });

  it('operators: a policy edit round-trips, and an invalid one shows its problems inline', async () => {
    await open('#/operators', '[data-testid=policy-editor]');
    await expect.poll(() => editorValue()).toContain('{');
    const edit = async (change: (doc: Record<string, unknown>) => void) => {
      const current = await editorValue();
      const doc = JSON.parse(current) as Record<string, unknown>;
      change(doc);
      await page.$eval(
        '[data-testid=policy-editor]',
        (t, value) => ((t as unknown as { value: string }).value = value),
        JSON.stringify(doc, null, 2),
      );
      await page.click('[data-testid=policy-save]');
      await expect.poll(() => text('[data-testid=policy-status]')).not.toBe('');
    };
    await edit((doc) => {
      doc.idleTtl = '17m';
      doc.maxSandboxesPerTenant = 7;
    });
    expect(await text('[data-testid=policy-status]')).toBe('Saved and applied.');
    const stored = (await d.api('GET', '/api/admin/policies')).body;
    expect(stored.effective.lifecycle.idleTtlMs).toBe(17 * 60_000);
    expect(stored.effective.lifecycle.maxSandboxesPerTenant).toBe(7);
    expect(await text('[data-testid=policy-meta]')).toContain('Source: database');

    await edit((doc) => {
      doc.idleTtl = 'soon';
      doc.maxSandboxesPerTenant = -3;
    });
    expect(await text('[data-testid=policy-status]')).toContain('Not saved');
    const issues = await page.$$eval('[data-testid=policy-issues] li', (items) =>
      items.map((i) => i.textContent),
    );
    expect(issues.length).toBeGreaterThanOrEqual(2);
    expect(issues.join('\n')).toMatch(/idleTtl/);
    expect(issues.join('\n')).toMatch(/maxSandboxesPerTenant/);
    await shot('operators-policy-invalid');
    // Nothing of the invalid document was applied.
    expect((await d.api('GET', '/api/admin/policies')).body.effective.lifecycle.idleTtlMs).toBe(17 * 60_000);
  });

  it('developers: tenants, conversations, usage and cost charts per day and model', async () => {
    await open('#/developers', '[data-testid=tenants]');
    expect(await text('[data-testid=tenants]')).toContain('console-acme');
    await open(`#/developers/${tenantId}`, '[data-testid=chart-cost-day]');
    expect(await text('[data-testid=conversations]')).toContain(conversationId);
    const usage = (await d.api('GET', `/api/tenants/${tenantId}/usage?groupBy=model`)).body;
    expect(await text('[data-testid=usage-total]')).toContain(`${usage.total.runs as number} runs`);
    // One bar per model with cost (the priced one); the tokens chart stacks input and output per model.
    const bars = (chart: string) =>
      page.$$eval(`[data-testid=${chart}] rect.bar`, (rects) =>
        rects.map((r) => Number(r.getAttribute('data-value'))),
      );
    const costByModel = await bars('chart-cost-model');
    expect(costByModel).toEqual(
      (usage.groups as { costUsd: string }[]).map((g) => Number(g.costUsd)).filter((c) => c > 0),
    );
    const tokensByDay = await bars('chart-tokens-day');
    const total = usage.total as { inputTokens: number; outputTokens: number };
    expect(tokensByDay.reduce((a, b) => a + b, 0)).toBe(total.inputTokens + total.outputTokens);
    expect((await bars('chart-cost-day')).length).toBe(1);
    await shot('developers-tenant');
  });

  it('developers: a live run streams into the page, then replays from the start', async () => {
    const running = fetch(`${d.url ?? ''}${base()}/query`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: [
          '@say Part one.',
          '@sleep 2500',
          '@say Part two.',
          '@tool bash {"command":"echo done"}',
          '@say Finished.',
        ].join('\n'),
      }),
    });
    const runId = (await running).headers.get('x-run-id') ?? '';
    await open(`#/developers/${tenantId}/${conversationId}`, '[data-testid=runs] a');
    expect(await text('[data-testid=runs]')).toContain(runId);
    await page.click(`[data-testid=runs] a[href$="${runId}"]`);
    await expect.poll(() => text('[data-testid=run-events]'), { timeout: 30_000 }).toContain('one.');
    // The first words arrived while the run still went on: nothing of its end is on the page yet.
    const early = await page.$$eval('[data-testid=run-events] li', (items) =>
      items.map((i) => i.dataset.type),
    );
    expect(early).not.toContain('final');
    expect((await d.api('GET', `${base()}/runs/${runId}`)).body.status).toBe('running');
    await ended();
    const seqs = () =>
      page.$$eval('[data-testid=run-events] li', (items) => items.map((i) => Number(i.dataset.seq)));
    const live = await seqs();
    expect(live).toEqual(Array.from({ length: live.length }, (_, i) => i + 1));
    const types = await page.$$eval('[data-testid=run-events] li', (items) =>
      items.map((i) => i.dataset.type),
    );
    expect(types).toEqual(
      expect.arrayContaining(['run_start', 'text', 'tool_call', 'tool_result', 'final', 'usage']),
    );
    await shot('developers-run');

    // Replay rebuilds the list from the first event: no row of the live view may survive it.
    await page.$$eval('[data-testid=run-events] li', (items) =>
      items.forEach((i) => i.classList.add('seen')),
    );
    await page.click('[data-testid=run-replay]');
    await ended();
    await expect.poll(seqs).toEqual(live);
    expect(await page.$$eval('[data-testid=run-events] li.seen', (items) => items.length)).toBe(0);
    expect(browser.console.filter((line) => line.startsWith('pageerror'))).toEqual([]);
  });

  it('shows a tool output and model text carrying <script> and <img onerror> as text; nothing executes', async () => {
    const run = await d.api('POST', `${base()}/query`, {
      message: [
        `@say ${HOSTILE}`,
        `@tool bash ${JSON.stringify({ command: `printf '%s' '${HOSTILE}'` })}`,
        '@result',
      ].join('\n'),
    });
    expect(run.body.status).toBe('succeeded');
    await open(
      `#/developers/${tenantId}/${conversationId}/${run.body.runId as string}`,
      '[data-testid=run-events] li',
    );
    await ended();
    const outputs = await page.$$eval('[data-testid=run-events] li[data-type=tool_result] pre', (pres) =>
      pres.map((p) => p.textContent),
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toContain(HOSTILE);
    // The model's own text (said, then the tool's output read back) is shown as text too.
    expect(await text('[data-testid=run-events] li[data-type=final] pre')).toContain(HOSTILE);
    expect(
      await page.$$eval('[data-testid=run-events] img, [data-testid=run-events] script', (n) => n.length),
    ).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    // Second line of defence: had any code put data into innerHTML, Trusted Types (from the CSP) would refuse.
    expect(
      await page.evaluate(`(() => {
        try {
          document.body.insertAdjacentHTML('beforeend', '<img src=x>');
          return 'parsed';
        } catch (err) {
          return err.name;
        }
      })()`),
    ).toBe('TypeError');
    await shot('developers-hostile-output');
  });

  it('security: per-sandbox isolation audit with its statuses and reasons, profile contents, audit log', async () => {
    await open('#/security', `[data-testid=checks-${sandboxId}]`);
    const report = (await d.api('GET', '/api/audit/sandboxes')).body;
    const audit = (
      report.sandboxes as { sandboxId: string; checks: { status: string; actual: string }[] }[]
    ).find((s) => s.sandboxId === sandboxId);
    expect(audit).toBeDefined();
    const label: Record<string, string> = {
      pass: 'PASS',
      fail: 'FAIL',
      not_enforced: 'NOT ENFORCED',
      not_applicable: 'n/a',
    };
    const shown = await page.$$eval(`[data-testid=checks-${sandboxId}] tbody tr`, (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(shown.map((cells) => cells[0])).toEqual(audit?.checks.map((c) => label[c.status]));
    expect(shown.map((cells) => cells[5])).toEqual(audit?.checks.map((c) => c.actual));
    expect(await text('[data-testid=audit-summary]')).toContain(`${report.summary.checks as number} checks`);
    const profile = (await d.api('GET', '/api/audit/profiles')).body.items[0];
    expect(await text(`[data-testid=profile-${profile.name as string}]`)).toContain(profile.seccomp.sha256);
    const log = await text('[data-testid=audit-log]');
    expect(log).toContain('policy.update');
    expect(log).toContain('sandbox.remove');
    await shot('security');
  });
});
