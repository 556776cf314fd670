import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingDnsServer } from '../support/counting-dns-server.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const HOST = 'api.inject.test';

describe('credential injection from a real sandbox', () => {
  let d: TestDaemon;
  let dns: CountingDnsServer;
  let origin: https.Server;
  let port: number;
  const seen: { authorization: string | undefined; custom: string | undefined }[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'inject-'));
  // Split in two so that no command, file or message the test sends ever holds the whole secret.
  const head = randomBytes(9).toString('hex');
  const tail = randomBytes(9).toString('hex');
  const secret = `ghp_${head}${tail}`;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    // The origin answers what it saw without echoing it, so the secret cannot come back into the sandbox.
    origin = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      (req, res) => {
        seen.push({ authorization: req.headers.authorization, custom: req.headers['x-sandbox'] as string });
        res.end(
          `origin saw ${req.method ?? '?'} ${req.url ?? '?'} authorized=${String(!!req.headers.authorization)}\n`,
        );
      },
    );
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    port = (origin.address() as AddressInfo).port;
    dns = new CountingDnsServer({ [HOST]: ['127.0.0.1'] });
    d = await startTestDaemon({
      env: {
        AGENTD_DISCONNECT_GRACE: '0',
        AGENTD_EGRESS_DNS_SERVER: await dns.listen(),
        AGENTD_EGRESS_EXTRA_CA_FILE: path.join(dir, 'cert.pem'),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await d.destroy();
    dns.close();
    origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('curl sees the injected header at the origin, while the sandbox’s environment, files and tool results hold no secret', async () => {
    const tenant = await d.api('POST', '/api/tenants', {
      name: 'inject',
      policy: {
        egress: {
          mode: 'allowlist',
          allow: [HOST],
          allowAddresses: [`127.0.0.1:${port}`],
          inject: [{ host: HOST, headers: { Authorization: 'Bearer ${secret:gh_token}' } }],
        },
      },
    });
    expect(tenant.status).toBe(201);
    const t = tenant.body.id as string;
    const put = await d.api('PUT', `/api/tenants/${t}/secrets/gh_token`, { value: secret });
    expect([200, 201]).toContain(put.status);
    const conversation = await d.api('POST', `/api/tenants/${t}/conversations`, { title: 'inject' });
    const commands = [
      `curl -sS -H 'Authorization: Bearer sandbox-own' -H 'X-Sandbox: kept' https://${HOST}:${port}/repos`,
      `curl -sS -o /dev/null -w '%{http_code}\\n' http://${HOST}:${port}/plain`,
      'echo "bundle=$SSL_CERT_FILE"; grep -c "BEGIN CERTIFICATE" "$SSL_CERT_FILE"',
      // The secret assembled in a shell variable (never exported): count where it occurs.
      `S="ghp_${head}""${tail}"; echo "environ=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -cF "$S")"; ` +
        `echo "files=$(grep -rIlF "$S" /workspace /tmp /run /etc /opt /home /var /dev/shm 2>/dev/null | wc -l)"`,
    ];
    const res = await sse(`${d.url}/api/tenants/${t}/conversations/${conversation.body.id}/stream`, {
      body: {
        message: [
          ...commands.map((command) => `@tool bash ${JSON.stringify({ command, timeoutMs: 60_000 })}`),
          '@say done',
        ].join('\n'),
      },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(res.done).toBe(true);
    const outputs = res.events
      .filter((e) => e.data.type === 'tool_result' && e.data.name === 'bash')
      .map((e) => String(e.data.output));
    const [curl, plain, bundle, search] = outputs;
    expect(curl).toContain('origin saw GET /repos authorized=true');
    expect(seen).toEqual([{ authorization: `Bearer ${secret}`, custom: 'kept' }]);
    expect(plain).toMatch(/^403/);
    expect(bundle).toContain('bundle=/run/agentd/ca-bundle.pem');
    expect(Number(/^(\d+)$/m.exec(bundle ?? '')?.[1])).toBeGreaterThan(1);
    expect(search).toContain('environ=0');
    expect(search).toContain('files=0');
    expect(JSON.stringify(res.events)).not.toContain(secret);
    const messages = await d.api('GET', `/api/tenants/${t}/conversations/${conversation.body.id}/messages`);
    expect(JSON.stringify(messages.body)).not.toContain(secret);
    expect(JSON.stringify(messages.body)).toContain('origin saw GET /repos');
  }, 90_000);
});
