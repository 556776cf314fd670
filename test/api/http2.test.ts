import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient } from '../support/ws-client.js';

interface H2Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** One request on an HTTP/2 session; `until` may end the stream early (a client going away mid-stream). */
function request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: unknown,
  until?: (received: string) => boolean,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    // A string is sent as it is (raw uploads), anything else as JSON.
    const json = body !== undefined && typeof body !== 'string';
    const stream = session.request(
      { ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
      { endStream: body === undefined },
    );
    if (body !== undefined) stream.end(typeof body === 'string' ? body : JSON.stringify(body));
    let status = 0;
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let text = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (until?.(text)) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        resolve({ status, headers: responseHeaders, body: text });
      }
    });
    stream.on('end', () => resolve({ status, headers: responseHeaders, body: text }));
    stream.on('error', reject);
  });
}

const seqs = (stream: string): number[] => [...stream.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

/** The same API over HTTP/2: cleartext (prior knowledge) and TLS with ALPN, which also keeps HTTP/1.1. */
describe('HTTP/2 listeners', () => {
  let d: TestDaemon;
  let dir = '';
  let cert: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-h2-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    cert = await readFile(certFile);
    d = await startTestDaemon({
      env: {
        AGENTD_H2C_PORT: '0',
        AGENTD_TLS_PORT: '0',
        AGENTD_TLS_CERT_FILE: certFile,
        AGENTD_TLS_KEY_FILE: keyFile,
        AGENTD_SSE_RETRY: '1500ms',
        AGENTD_DISCONNECT_GRACE: '60s',
      },
    });
  });
  afterAll(async () => {
    await d.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['h2c', 'tls'] as const) {
    it(`streams a run, resumes it and ends with 204 over ${kind}`, async () => {
      const url = d.http2Urls[kind] ?? '';
      expect(url).toMatch(kind === 'tls' ? /^https:/ : /^http:/);
      const session = http2.connect(url, kind === 'tls' ? { ca: cert } : {});
      try {
        if (kind === 'tls') {
          await new Promise((resolve) => session.once('connect', resolve));
          expect(session.alpnProtocol).toBe('h2');
        }
        const auth = { 'x-api-key': d.adminKey };
        expect((await request(session, { ':path': '/health/live' })).status).toBe(200);
        const spec = await request(session, { ':path': '/docs/json' });
        expect(JSON.parse(spec.body)).toHaveProperty('openapi');
        const tenant = await request(
          session,
          { ':method': 'POST', ':path': '/api/tenants', ...auth },
          { name: kind },
        );
        expect(tenant.status).toBe(201);
        const tenantId = (JSON.parse(tenant.body) as { id: string }).id;
        const created = await request(
          session,
          { ':method': 'POST', ':path': `/api/tenants/${tenantId}/conversations`, ...auth },
          {},
        );
        const conversationId = (JSON.parse(created.body) as { id: string }).id;
        const base = `/api/tenants/${tenantId}/conversations/${conversationId}`;

        // Leave the stream once the first text arrived (the run is asleep then), resume after what we saw.
        const first = await request(
          session,
          { ':method': 'POST', ':path': `${base}/stream`, ...auth },
          { message: '@say before\n@sleep 1000\n@say after' },
          (text) => text.includes('"type":"text"'),
        );
        expect(first.status).toBe(200);
        expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
        expect(first.body).toMatch(/^retry: 1500\n\n/);
        const runId = String(first.headers['x-run-id']);
        const seen = seqs(first.body).at(-1) ?? 0;
        expect(seen).toBeGreaterThan(0);
        const rest = await request(session, {
          ':path': `${base}/runs/${runId}/events`,
          'last-event-id': String(seen),
          ...auth,
        });
        expect(rest.status).toBe(200);
        expect(rest.body).toContain(': done');
        const restSeqs = seqs(rest.body);
        expect(restSeqs[0]).toBe(seen + 1);
        expect(rest.body).toContain('"type":"final","content":"before\\nafter\\n');
        const lastSeq = restSeqs.at(-1) ?? 0;

        const end = await request(session, {
          ':path': `${base}/runs/${runId}/events`,
          'last-event-id': String(lastSeq),
          ...auth,
        });
        expect(end.status).toBe(204);
        expect(end.body).toBe('');
        const run = await request(session, { ':path': `${base}/runs/${runId}`, ...auth });
        expect(JSON.parse(run.body)).toMatchObject({ id: runId, status: 'succeeded' });
        const cancel = await request(session, {
          ':method': 'POST',
          ':path': `${base}/runs/${runId}/cancel`,
          ...auth,
        });
        expect(cancel.status).toBe(200);
        const file = `${base}/workspace/files/notes/h2.txt`;
        const put = await request(
          session,
          { ':method': 'PUT', ':path': file, 'content-type': 'application/octet-stream', ...auth },
          'over HTTP/2\n',
        );
        expect(put.status).toBe(201);
        expect((await request(session, { ':path': file, ...auth })).body).toBe('over HTTP/2\n');
        expect((await request(session, { ':path': '/api/tenants' })).status).toBe(401);
      } finally {
        session.close();
      }
    });
  }

  it('keeps HTTP/1.1 on the TLS port: WebSocket upgrades switch protocols there as on the HTTP/1.1 port', async () => {
    const tlsUrl = new URL(d.http2Urls.tls ?? '');
    const version = await new Promise<string>((resolve, reject) => {
      https
        .get(`${tlsUrl.origin}/health/live`, { ca: cert }, (res) => {
          res.resume();
          resolve(`${res.httpVersion} ${res.statusCode}`);
        })
        .on('error', reject);
    });
    expect(version).toBe('1.1 200');
    const tenantId = (await d.api('POST', '/api/tenants', { name: 'tls-ws' })).body.id as string;
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const wsPath = `/api/tenants/${tenantId}/conversations/${conversationId}/ws`;
    // The TLS listener forwards upgrades to the HTTP/1.1 server: both ports switch protocols.
    const upgrade = [
      `GET ${wsPath} HTTP/1.1`,
      'host: 127.0.0.1',
      'connection: Upgrade',
      'upgrade: websocket',
      'sec-websocket-version: 13',
      'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
      `x-api-key: ${d.adminKey}`,
      '',
      '',
    ].join('\r\n');
    const statusLine = (socket: net.Socket): Promise<string> =>
      new Promise((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.includes('\r\n')) {
            socket.destroy();
            resolve(text.split('\r\n')[0] ?? '');
          }
        });
        socket.write(upgrade);
      });
    const plain = net.connect(Number(new URL(d.url ?? '').port), '127.0.0.1');
    const secure = tls.connect({
      host: '127.0.0.1',
      port: Number(tlsUrl.port),
      ca: cert,
      ALPNProtocols: ['http/1.1'],
    });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    expect(secure.alpnProtocol).toBe('http/1.1');
    const [overPlain, overTls] = await Promise.all([statusLine(plain), statusLine(secure)]);
    expect(overPlain).toBe('HTTP/1.1 101 Switching Protocols');
    expect(overTls).toBe(overPlain);

    // And a whole WebSocket chat over the TLS port (wss://, HTTP/1.1 chosen by ALPN).
    const ws = await WsTestClient.open(`wss://127.0.0.1:${tlsUrl.port}${wsPath}`, {
      ca: cert,
      headers: { 'x-api-key': d.adminKey },
      // ws hands its options to tls.connect, though its types do not list ALPN.
      ...({ ALPNProtocols: ['http/1.1'] } as object),
    });
    try {
      expect((ws.socket as unknown as { _socket: tls.TLSSocket })._socket.alpnProtocol).toBe('http/1.1');
      ws.send({ type: 'ping' });
      expect((await ws.next()).type).toBe('pong');
      ws.send({ type: 'chat', content: '@say over wss' });
      const run = await ws.untilEnd();
      expect(run.find((m) => m.type === 'final')?.content).toMatch(/over wss/);
      expect(run.at(-1)).toMatchObject({ type: 'end', status: 'succeeded' });
    } finally {
      await ws.close();
    }
  });
});
