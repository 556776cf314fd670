import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_HTML_CSP, escapeHtml } from '../../orchestrator/src/audit/render-html.js';
import { launchBrowser } from '../support/browser.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { agentd } from './cli-runner.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const MULTITOOL_DIR = path.dirname(require.resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(
  JSON.parse(await readFile(path.join(MULTITOOL_DIR, 'sarif-2.1.0.json'), 'utf8')) as object,
);

/** A conversation label a tenant-controlled container could carry: markup that must stay text in every format. */
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

interface Filing {
  generatedAt: string;
  evidenceSha256: string;
  counts: { all: Record<string, number>; sandboxes: { failing: number } };
  report: { sandboxes: { sandboxId: string; passed: boolean }[] };
  profiles: { name: string; seccompSha256: string }[];
}

interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[];
}

/** Microsoft's SARIF validator on a file: the rule violations it finds (errors and warnings). */
async function multitoolFindings(file: string, dir: string): Promise<string[]> {
  const output = path.join(dir, 'validation.sarif');
  await run(
    path.join(MULTITOOL_DIR, 'Sarif.Multitool'),
    ['validate', file, '--output', output, '--log', 'ForceOverwrite'],
    {
      cwd: dir,
      timeout: 120_000,
    },
  );
  const log = JSON.parse(await readFile(output, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
  return log.runs.flatMap((r) => r.results.map((x) => x.ruleId));
}

describe('audit report for filing (route and CLI, against a real agentd)', () => {
  let d: TestDaemon;
  let dir = '';
  let weakened = '';
  let sandboxId = '';

  beforeAll(async () => {
    d = await startTestDaemon();
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-report-'));
    const lease = await d.sandboxes.acquire({ tenantId: 'report', conversationId: 'c1' });
    sandboxId = lease.record.id;
    await d.sandboxes.release(lease);
    // agentd's labels on a container agentd would never create: writable root, an added capability, and a
    // conversation label full of markup, which the report shows as evidence.
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'NET_ADMIN',
      '--network',
      'none',
      '--label',
      'agentd.managed=true',
      '--label',
      `agentd.node=${d.config.nodeId}`,
      '--label',
      'agentd.sandbox=hostile00001',
      '--label',
      `agentd.conversation=${HOSTILE}`,
      '--label',
      'agentd.profile=standard',
      '--label',
      `agentd.created=${new Date().toISOString()}`,
      '--entrypoint',
      'sleep',
      d.config.sandbox.image,
      '300',
    ]);
    weakened = stdout.trim();
  });
  afterAll(async () => {
    if (weakened) await run('docker', ['rm', '-f', weakened]);
    await d.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves HTML with its own strict CSP, the hostile label escaped and a sign-off block', async () => {
    const res = await d.api('GET', '/api/audit/report?format=html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(AUDIT_HTML_CSP);
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^inline; filename="agentd-audit-${d.config.nodeId}-\\d{4}-\\d{2}-\\d{2}\\.html"$`),
    );
    const html = String(res.body);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('Sandbox hostile00001 — <span class="fail">FAILS</span>');
    expect(html).toContain(`Sandbox ${sandboxId} — <span class="pass">passes</span>`);
    expect(html).toContain('<h2>Sign-off</h2>');
    expect(html).toMatch(/<th>runc<\/th><td>1\.1\.\d/);
  });

  it('renders in headless Chromium under its CSP: the styles apply, the markup stays text, no script runs', async () => {
    await using browser = await launchBrowser();
    const page = await browser.page();
    await page.setExtraHTTPHeaders({ 'x-api-key': d.adminKey });
    const response = await page.goto(`${d.url ?? ''}/api/audit/report?format=html`);
    expect(response?.status()).toBe(200);
    await browser.screenshot(page, 'audit-report');
    // A string, run in the page (the test files are compiled without the DOM's types).
    const seen = (await page.evaluate(`(() => {
      const fail = document.querySelector('td.fail');
      // An inline script added now is what an escaping bug would amount to: the page's CSP must refuse it.
      const script = document.createElement('script');
      script.textContent = 'window.pwned = 1';
      document.body.append(script);
      return {
        elements: document.querySelectorAll('script, img, iframe, object, embed, link, a').length,
        text: document.body.innerText,
        failBackground: fail ? getComputedStyle(fail).backgroundColor : null,
        pwned: window.pwned,
      };
    })()`)) as { elements: number; text: string; failBackground: string | null; pwned?: number };
    expect(seen.elements).toBe(1); // the script just added, refused
    expect(seen.pwned).toBeUndefined();
    expect(seen.text).toContain(HOSTILE);
    // The stylesheet applies only when its hash in the CSP is right.
    expect(seen.failBackground).toBe('rgb(176, 0, 32)');
    const violations = browser.console.filter((l) => /Content Security Policy/i.test(l));
    // The refused script and nothing else (reported once by the header's policy and once by the meta tag's).
    expect(violations.length).toBeGreaterThan(0);
    expect(
      violations.filter((l) => !l.includes('Executing inline script')),
      browser.console.join('\n'),
    ).toEqual([]);
  });

  it('serves JSON whose counts and evidence digest hold, and SARIF that validates', async () => {
    const json = await d.api('GET', '/api/audit/report?format=json');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const filing = json.body as Filing;
    const digest = createHash('sha256')
      .update(JSON.stringify({ report: filing.report, profiles: filing.profiles }))
      .digest('hex');
    expect(filing.evidenceSha256).toBe(digest);
    expect(filing.report.sandboxes.find((s) => s.sandboxId === 'hostile00001')?.passed).toBe(false);
    expect(filing.counts.sandboxes.failing).toBeGreaterThanOrEqual(1);
    expect(filing.profiles.map((p) => p.name)).toContain('standard');

    const sarif = await d.api('GET', '/api/audit/report?format=sarif');
    expect(sarif.headers.get('content-type')).toBe('application/sarif+json; charset=utf-8');
    const log = sarif.body as SarifLog;
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results.filter((r) => r.level === 'error').map((r) => r.ruleId)).toEqual(
      expect.arrayContaining(['caps.dropped', 'rootfs.readonly']),
    );
    expect(results.find((r) => r.ruleId === 'apparmor')?.level).toBe('warning');
    const file = path.join(dir, 'route.sarif');
    await writeFile(file, JSON.stringify(sarif.body));
    // agentd is self-hosted and has no public page for the tool's informationUri (SARIF2005, a suggestion).
    expect((await multitoolFindings(file, dir)).filter((id) => id !== 'SARIF2005')).toEqual([]);
  });

  it('answers 400 for an unknown format', async () => {
    expect((await d.api('GET', '/api/audit/report?format=pdf')).status).toBe(400);
  });

  it('agentd audit --format prints or writes each format; a bad format exits 2', async () => {
    const base = ['audit', '--url', d.url ?? '', '--api-key', d.adminKey];
    const markdown = await agentd([...base, '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## Sign-off');
    expect(markdown.stdout).toContain('## Sandbox hostile00001 — **FAILS**');
    expect(markdown.stdout).toContain('\\<script\\>alert(1)\\</script\\>');

    const file = path.join(dir, 'cli.sarif');
    const written = await agentd([...base, '--format', 'sarif', '--output', file]);
    expect(written.code).toBe(0);
    expect(validateSarif(JSON.parse(await readFile(file, 'utf8')))).toBe(true);

    const html = await agentd([...base, '--format', 'html']);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain(escapeHtml(HOSTILE));

    const bad = await agentd([...base, '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"pdf" is not one of html, json, markdown, sarif');
  });
});
