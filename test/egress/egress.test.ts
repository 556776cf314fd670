import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ZipFile } from 'yazl';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { CountingDnsServer } from '../support/counting-dns-server.js';
import { sse, type SseResult } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const PROBES = path.join(import.meta.dirname, 'probes');
const BIG = Buffer.alloc(1024 * 1024, 'x');

let repoDir = '';
/** A wheel served by a PEP 503 "simple" index, so `pip download` has something real to fetch. */
const WHEEL_NAME = 'agentd_demo-0.1.0-py3-none-any.whl';
let wheel: Buffer = Buffer.alloc(0);

async function buildWheel(): Promise<Buffer> {
  const info = 'agentd_demo-0.1.0.dist-info';
  const zip = new ZipFile();
  const files: Record<string, string> = {
    'agentd_demo/__init__.py': 'GREETING = "installed through agentd"\n',
    [`${info}/METADATA`]: 'Metadata-Version: 2.1\nName: agentd-demo\nVersion: 0.1.0\n',
    [`${info}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = [...Object.keys(files), `${info}/RECORD`].map((f) => `${f},,`).join('\n');
  for (const [name, content] of Object.entries({ ...files, [`${info}/RECORD`]: `${record}\n` }))
    zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Origins on 127.0.0.1 that say which Host they were asked for, with a dumb-HTTP git repository. */
const handler: RequestListener = (req, res) => {
  if (req.url === '/big') return void res.end(BIG);
  if (req.url === '/simple/agentd-demo/')
    return void res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<html><body><a href="/packages/${WHEEL_NAME}">${WHEEL_NAME}</a></body></html>`);
  if (req.url === `/packages/${WHEEL_NAME}`) return void res.end(wheel);
  if (req.url?.startsWith('/repo.git/')) {
    const file = path.join(repoDir, path.normalize(req.url.slice('/repo.git/'.length).split('?')[0] ?? ''));
    if (!file.startsWith(repoDir) || !existsSync(file)) return void res.writeHead(404).end();
    return void res.end(readFileSync(file));
  }
  res.end(`hello from ${req.headers.host ?? '?'}`);
};

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('controlled egress from a real sandbox through agentd', () => {
  let d: TestDaemon;
  let dns: CountingDnsServer;
  let httpServer: http.Server;
  let httpsServer: https.Server;
  let httpPort: number;
  let tlsPort: number;
  let certPem: string;
  let tenantId: string;
  let apiPort: number;
  const dir = mkdtempSync(path.join(tmpdir(), 'egress-'));

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=pkgs.egress.test',
        '-addext',
        'subjectAltName=DNS:pkgs.egress.test,DNS:rebind.egress.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    certPem = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    wheel = await buildWheel();
    // A repository served the dumb-HTTP way (static files), as `git clone http://…` reads it.
    const work = path.join(dir, 'work');
    repoDir = path.join(dir, 'repo.git');
    const git = (args: string[], cwd = dir) => execFileSync('git', args, { cwd, stdio: 'ignore' });
    git(['init', '-q', '-b', 'main', work]);
    writeFileSync(path.join(work, 'README'), 'cloned through agentd\n');
    git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', 'README'], work);
    git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init'], work);
    git(['clone', '-q', '--bare', work, repoDir]);
    git(['update-server-info'], repoDir);
    httpServer = http.createServer(handler);
    httpsServer = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: certPem },
      handler,
    );
    httpPort = await listen(httpServer);
    tlsPort = await listen(httpsServer);
    dns = new CountingDnsServer({
      'pkgs.egress.test': ['127.0.0.1'],
      'api.egress.test': ['127.0.0.1'],
      'rebind.egress.test': ['127.0.0.1', '10.0.0.1'],
      'blocked.egress.test': ['127.0.0.1'],
      'unlisted.egress.test': ['127.0.0.1'],
    });
    const dnsServer = await dns.listen();
    d = await startTestDaemon({
      env: {
        AGENTD_DISCONNECT_GRACE: '0',
        AGENTD_EGRESS_DNS_SERVER: dnsServer,
        // Redis in use, so its port is one of agentd's own endpoints that egress must never reach.
        REDIS_URL: 'redis://127.0.0.1:6379',
        AGENTD_REDIS_PREFIX: `agentd-egress-${randomId(8)}:`,
      },
    });
    apiPort = Number(new URL(d.url ?? '').port);
    const ports = [httpPort, tlsPort, apiPort, 5432, 6379];
    const tenant = await d.api('POST', '/api/tenants', {
      name: 'egress',
      policy: {
        egress: {
          mode: 'allowlist',
          allow: ['pkgs.egress.test', '*.egress.test'],
          deny: ['blocked.egress.test'],
          allowAddresses: ports.map((p) => `127.0.0.1:${p}`),
          maxConnections: 8,
        },
      },
    });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
  }, 120_000);

  afterAll(async () => {
    await d.destroy();
    dns.close();
    httpServer.close();
    httpsServer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(
    tenant: string,
    commands: string[],
    files: Record<string, string> = {},
  ): Promise<SseResult> {
    const conversation = await d.api('POST', `/api/tenants/${tenant}/conversations`, { title: 'egress' });
    expect(conversation.status).toBe(201);
    const lines = [
      ...Object.entries(files).map(
        ([p, content]) => `@tool write_file ${JSON.stringify({ path: p, content })}`,
      ),
      ...commands.map((command) => `@tool bash ${JSON.stringify({ command, timeoutMs: 60_000 })}`),
      '@say done',
    ];
    return sse(`${d.url}/api/tenants/${tenant}/conversations/${conversation.body.id}/stream`, {
      body: { message: lines.join('\n') },
      headers: { 'x-api-key': d.adminKey },
    });
  }

  function outputs(res: SseResult): string[] {
    if (process.env.EGRESS_TEST_DEBUG)
      console.log(
        JSON.stringify(
          res.events.map((e) => e.data),
          null,
          1,
        ),
      );
    return res.events
      .filter((e) => e.data.type === 'tool_result' && e.data.name === 'bash')
      .map((e) => String(e.data.output).replace(/\n?\[exit code \d+\]$/, ''));
  }

  function jsonLines(output: string): Record<string, unknown>[] {
    return output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  const probe = (name: string): string => readFileSync(path.join(PROBES, name), 'utf8');

  it('node fetch (HTTP and HTTPS) and Python urllib reach an allowed host; the sandbox still has only lo', async () => {
    const res = await run(
      tenantId,
      [
        'ls /sys/class/net',
        `NODE_EXTRA_CA_CERTS=/workspace/ca.pem node fetch.mjs http://pkgs.egress.test:${httpPort}/hello https://pkgs.egress.test:${tlsPort}/hello`,
        `python3 -c "import urllib.request; print(urllib.request.urlopen('http://pkgs.egress.test:${httpPort}/hello').read().decode())"`,
        'env | grep -i _proxy | sort',
        `git clone -q http://pkgs.egress.test:${httpPort}/repo.git /tmp/clone && cat /tmp/clone/README`,
      ],
      { 'fetch.mjs': probe('fetch.mjs'), 'ca.pem': certPem },
    );
    expect(res.done).toBe(true);
    const [net, fetched, python, env, cloned] = outputs(res);
    expect(cloned).toBe('cloned through agentd');
    expect(net?.trim()).toBe('lo');
    const results = jsonLines(fetched ?? '');
    expect(results).toEqual([
      expect.objectContaining({ status: 200, body: `hello from pkgs.egress.test:${httpPort}` }),
      expect.objectContaining({ status: 200, body: `hello from pkgs.egress.test:${tlsPort}` }),
    ]);
    expect(python).toContain(`hello from pkgs.egress.test:${httpPort}`);
    expect(env).toMatch(/^HTTPS_PROXY=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(env).toMatch(/^NO_PROXY=localhost,127\.0\.0\.1$/m);
    const types = res.events.map((e) => e.data.type);
    expect(types.slice(-3)).toEqual(['egress', 'final', 'usage']);
    const summary = res.events.find((e) => e.data.type === 'egress')?.data;
    expect(Number(summary?.connections)).toBeGreaterThanOrEqual(5);
    expect(summary).toMatchObject({ denied: 0 });
    expect(Number(summary?.bytesIn)).toBeGreaterThan(0);
    // The isolation audit says what this sandbox's runs may reach, from the same policy.
    const audit = await d.api('GET', '/api/audit/sandboxes');
    const sandbox = audit.body.sandboxes.find((s: any) => s.tenantId === tenantId);
    expect(sandbox.egress).toMatchObject({
      mode: 'allowlist',
      source: 'tenant',
      allow: ['pkgs.egress.test', '*.egress.test'],
      deny: ['blocked.egress.test'],
    });
  }, 60_000);

  it('curl (HTTP and HTTPS) and pip download from a package index work through the proxy', async () => {
    const res = await run(
      tenantId,
      [
        `curl -sS http://pkgs.egress.test:${httpPort}/hello`,
        `curl -sS --cacert /workspace/ca.pem https://pkgs.egress.test:${tlsPort}/hello`,
        // pip reads the proxy variables like any tool; the index is a plain-HTTP PEP 503 page on an allowed host
        // (pip wants --trusted-host for plain HTTP).
        `pip download --no-deps --no-cache-dir --disable-pip-version-check -q -d /tmp/dl --trusted-host pkgs.egress.test --index-url http://pkgs.egress.test:${httpPort}/simple/ agentd-demo && ls /tmp/dl`,
        `cd /tmp/dl && python3 -c "import zipfile; print(zipfile.ZipFile('${WHEEL_NAME}').read('agentd_demo/__init__.py').decode().strip())"`,
      ],
      { 'ca.pem': certPem },
    );
    expect(res.done).toBe(true);
    const [plain, tls, downloaded, content] = outputs(res);
    expect(plain).toBe(`hello from pkgs.egress.test:${httpPort}`);
    expect(tls).toBe(`hello from pkgs.egress.test:${tlsPort}`);
    expect(downloaded?.trim()).toBe(WHEEL_NAME);
    expect(content).toBe('GREETING = "installed through agentd"');
    expect(res.events.find((e) => e.data.type === 'egress')?.data).toMatchObject({ denied: 0 });
  }, 90_000);

  it('refuses denied and unlisted names without ever resolving them, and agentd’s own ports even when allowAddresses names them', async () => {
    const res = await run(
      tenantId,
      [
        `python3 get.py http://blocked.egress.test:${httpPort}/ https://blocked.egress.test:${tlsPort}/ http://unlisted.example:${httpPort}/ ` +
          `http://api.egress.test:${apiPort}/health http://api.egress.test:5432/ http://api.egress.test:6379/`,
      ],
      { 'get.py': probe('get.py') },
    );
    const results = jsonLines(outputs(res)[0] ?? '');
    if (process.env.EGRESS_TEST_DEBUG) console.log(results);
    expect(results).toHaveLength(6);
    expect(results[0]).toMatchObject({ status: 403 });
    expect(String(results[0]?.body)).toContain('denied by "blocked.egress.test"');
    expect(String(results[1]?.error)).toContain('403');
    expect(results[2]).toMatchObject({ status: 403 });
    expect(String(results[2]?.body)).toContain('not on this sandbox');
    for (const r of results.slice(3)) {
      expect(r.status).toBe(403);
      expect(String(r.body)).toMatch(/agentd.s own endpoints/);
    }
    expect(dns.count('blocked.egress.test')).toBe(0);
    expect(dns.count('unlisted.example')).toBe(0);
    expect(dns.count('api.egress.test')).toBeGreaterThan(0);
    const summary = res.events.find((e) => e.data.type === 'egress')?.data;
    expect(summary).toMatchObject({ connections: 0, denied: 6 });
  }, 60_000);

  it('connects to the address it checked: a name that rebinds to a private address is refused', async () => {
    const url = `http://rebind.egress.test:${httpPort}/hello`;
    const res = await run(tenantId, [`python3 get.py ${url} ${url}`], { 'get.py': probe('get.py') });
    const [first, second] = jsonLines(outputs(res)[0] ?? '');
    expect(first).toMatchObject({ status: 200, body: `hello from rebind.egress.test:${httpPort}` });
    expect(second).toMatchObject({ status: 403 });
    expect(String(second?.body)).toContain('10.0.0.1 is in a special-purpose range');
  }, 60_000);

  it('refuses a TLS ClientHello whose server name is not the CONNECT host, and hostile input, with the API responsive', async () => {
    let slowest = 0;
    let polls = 0;
    const stop = new AbortController();
    const poller = (async () => {
      while (!stop.signal.aborted) {
        const started = performance.now();
        const health = await d.api('GET', '/health/live');
        expect(health.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
        polls += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const heapBefore = process.memoryUsage().heapUsed;
    const res = await run(tenantId, [`node raw-proxy.mjs ${tlsPort} ${httpPort} all 1000`], {
      'raw-proxy.mjs': probe('raw-proxy.mjs'),
    });
    stop.abort();
    await poller;
    const out = JSON.parse(outputs(res)[0]?.trim().split('\n').at(-1) ?? '{}') as Record<string, any>;
    expect(out.sniMatch).toBe('handshake');
    expect(out.sniMismatch).not.toBe('handshake');
    expect(out.hugeLine).toMatch(/^4(14|31)$/);
    expect(out.binary).toBe('400');
    expect(out.ipLiteral).toBe('403');
    expect(out.idn).toBe('403');
    expect(out.trailingDot).toBe('200');
    expect(out.flood).toEqual({ '403': 1000 });
    expect(out.concurrent['200']).toBe(8);
    expect(out.concurrent['403']).toBe(4);
    expect(dns.count('xn--bcher-kva.egress.test')).toBe(0);
    expect(polls).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    // One warning per limit per run, however many connections it refused (a busy host may add SANDBOX_LIMIT cpu).
    const warnings = res.events.filter((e) => e.data.type === 'warning' && e.data.code === 'EGRESS_DENIED');
    expect(warnings).toHaveLength(1);
    const runId = String(res.events[0]?.data.runId);
    // The audit folds the flood into a few rows (one per window) that still count every attempt.
    // Written in batches once a second: wait for the last one.
    const audit = await vi.waitFor(
      async () => {
        const page = await d.api('GET', `/api/audit/egress?runId=${runId}&verdict=denied&limit=200`);
        expect(page.status).toBe(200);
        const total = page.body.items
          .filter((r: any) => r.host === 'blocked.egress.test')
          .reduce((n: number, r: any) => n + Number(r.count), 0);
        expect(total).toBe(1000);
        return page;
      },
      { timeout: 10_000, interval: 250 },
    );
    const flood = audit.body.items.filter((r: any) => r.host === 'blocked.egress.test');
    expect(flood.length).toBeLessThan(50);
    expect(audit.body.items.some((r: any) => r.reason === 'sni_mismatch')).toBe(true);
    const metrics = await d.api('GET', '/metrics');
    expect(String(metrics.body)).toMatch(/agentd_egress_connections_total\{verdict="denied"\} \d+/);
  }, 90_000);

  it('closes connections past the run’s byte budget with a warning event', async () => {
    const tenant = await d.api('POST', '/api/tenants', {
      name: 'egress-small',
      policy: {
        egress: {
          mode: 'allowlist',
          allow: ['pkgs.egress.test'],
          allowAddresses: [`127.0.0.1:${httpPort}`],
          maxBytesPerRun: 100_000,
        },
      },
    });
    const res = await run(tenant.body.id, [`node fetch.mjs http://pkgs.egress.test:${httpPort}/big`], {
      'fetch.mjs': probe('fetch.mjs'),
    });
    const [result] = jsonLines(outputs(res)[0] ?? '');
    expect(result?.length === BIG.length).toBe(false);
    const warning = res.events.find((e) => e.data.type === 'warning' && e.data.code === 'EGRESS_DENIED');
    expect(warning).toBeDefined();
    expect(String(warning?.data.message)).toContain('100000 bytes per run');
  }, 60_000);
});
