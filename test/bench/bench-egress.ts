/**
 * npm run bench:egress — a 100 MB HTTPS download and 200 small HTTPS requests (each on a new connection) from
 * inside a sandbox through agentd's egress path (runner proxy → call-home socket → agentd → origin), against
 * the same requests made directly from the host, in the same run. Not a test: it prints ratios.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CountingDnsServer } from '../support/counting-dns-server.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const CHUNK = Buffer.alloc(1024 * 1024, 7);
const MB = 100;

const dir = mkdtempSync(path.join(tmpdir(), 'agentd-bench-egress-'));
execFileSync(
  'openssl',
  [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=bench.egress.test'],
    ...['-addext', 'subjectAltName=DNS:bench.egress.test,IP:127.0.0.1'],
    ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
  ],
  { stdio: 'ignore' },
);
const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
  if (req.url !== '/big') return void res.end('ok');
  res.writeHead(200, { 'content-length': MB * CHUNK.length });
  let sent = 0;
  const pump = (): void => {
    while (sent < MB) {
      sent += 1;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const dns = new CountingDnsServer({ 'bench.egress.test': ['127.0.0.1'] });
const d = await startTestDaemon({
  env: {
    AGENTD_DISCONNECT_GRACE: '0',
    AGENTD_EGRESS_DNS_SERVER: await dns.listen(),
    AGENTD_MAX_TOOL_TIMEOUT: '10m',
  },
});
interface ProbeResult {
  bytes: number;
  downloadMs: number;
  smallP50: number;
  smallTotal: number;
}
try {
  const probe = readFileSync(path.join(here, 'egress-probe.mjs'), 'utf8');
  // Asynchronously: the origin server runs in this process.
  const { stdout } = await execFileAsync(
    process.execPath,
    [path.join(here, 'egress-probe.mjs'), `https://127.0.0.1:${port}`],
    { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') } },
  );
  const direct = JSON.parse(stdout) as ProbeResult;
  const tenant = await d.api('POST', '/api/tenants', {
    name: 'bench-egress',
    policy: {
      egress: {
        mode: 'allowlist',
        allow: ['bench.egress.test'],
        allowAddresses: [`127.0.0.1:${port}`],
        maxBytesPerRun: 2 * 1024 ** 3,
      },
    },
  });
  if (tenant.status !== 201) throw new Error(`tenant: ${JSON.stringify(tenant.body)}`);
  const conversation = await d.api('POST', `/api/tenants/${tenant.body.id}/conversations`, {
    title: 'bench',
  });
  const lines = [
    `@tool write_file ${JSON.stringify({ path: 'probe.mjs', content: probe })}`,
    `@tool write_file ${JSON.stringify({ path: 'ca.pem', content: cert })}`,
    `@tool bash ${JSON.stringify({ command: `NODE_EXTRA_CA_CERTS=/workspace/ca.pem node probe.mjs https://bench.egress.test:${port}`, timeoutMs: 600_000 })}`,
    '@say done',
  ];
  const res = await sse(
    `${d.url}/api/tenants/${tenant.body.id}/conversations/${conversation.body.id}/stream`,
    {
      body: { message: lines.join('\n') },
      headers: { 'x-api-key': d.adminKey },
    },
  );
  const output = res.events
    .filter((e) => e.data.type === 'tool_result' && e.data.name === 'bash')
    .map((e) => String(e.data.output))[0];
  const json = output?.split('\n').find((l) => l.startsWith('{'));
  if (!json) throw new Error(`the sandbox probe failed: ${output ?? 'no output'}`);
  const viaAgentd = JSON.parse(json) as ProbeResult;
  const mbps = (r: ProbeResult): number => r.bytes / 1024 / 1024 / (r.downloadMs / 1000);
  const rows = [
    ['100 MB HTTPS download', 'MB/s', mbps(viaAgentd), mbps(direct)],
    ['200 small HTTPS requests, new connection each', 'ms p50', viaAgentd.smallP50, direct.smallP50],
  ] as const;
  process.stdout.write('| measure | through agentd | direct from host | ratio |\n|---|---:|---:|---:|\n');
  for (const [measure, unit, a, b] of rows)
    process.stdout.write(
      `| ${measure} | ${a.toFixed(1)} ${unit} | ${b.toFixed(1)} ${unit} | ${(a / b).toFixed(2)}x |\n`,
    );
  recordResult({
    benchmark: 'egress',
    measure: '100 MB HTTPS download',
    unit: 'MB/s',
    agentd: mbps(viaAgentd),
    baseline: mbps(direct),
    baselineName: 'the same download from the host',
    better: 'higher',
  });
  recordResult({
    benchmark: 'egress',
    measure: 'small HTTPS request on a new connection (p50 of 200)',
    unit: 'ms',
    agentd: viaAgentd.smallP50,
    baseline: direct.smallP50,
    baselineName: 'the same requests from the host',
    better: 'lower',
  });
} finally {
  await d.destroy();
  dns.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
