import { createHash } from 'node:crypto';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { InjectingInterceptor, type SecretExpander } from './injecting-interceptor.js';
import { SandboxCa } from './sandbox-ca.js';

const HOST = 'api.example.com';
const TOKEN = 'tok-0123456789-secret';
const MIB = 1024 * 1024;

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  bodySha: string;
}

let sandboxCa: SandboxCa;
let originCa: SandboxCa;
let strangerCa: SandboxCa;
const closers: (() => void)[] = [];

beforeAll(async () => {
  const make = (label: string) =>
    SandboxCa.create({ hosts: [HOST], label, caLifetimeMs: 86_400_000, leafLifetimeMs: 3_600_000 });
  [sandboxCa, originCa, strangerCa] = await Promise.all([make('sandbox'), make('origin'), make('stranger')]);
});

afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A local HTTPS origin for HOST: records what it saw, answers `GET /big?n=` with n bytes. */
async function startOrigin(
  ca: SandboxCa,
): Promise<{ port: number; seen: Seen[]; connections: () => number }> {
  const leaf = await ca.leafFor(HOST);
  const seen: Seen[] = [];
  let connections = 0;
  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, bodyBytes: bytes, bodySha: hash.digest('hex') });
      const n = Number(new URL(req.url ?? '/', 'https://x').searchParams.get('n') ?? '0');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-origin': 'yes' });
      const chunk = Buffer.alloc(64 * 1024, 7);
      let left = n;
      const pump = () => {
        while (left > 0) {
          const part = chunk.subarray(0, Math.min(left, chunk.length));
          left -= part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, seen, connections: () => connections };
}

/** The sandbox side: a TCP listener on 127.0.0.1 whose connections go into the interceptor. */
async function startInterceptor(
  originPort: number,
  originTrust: SandboxCa,
  secrets: SecretExpander = { expand: async (v) => v.replace('${secret:gh_token}', TOKEN) },
): Promise<{ port: number; results: Promise<{ bytesIn: number; bytesOut: number }>[] }> {
  const interceptor = new InjectingInterceptor({
    authorityFor: (id) => (id === 'sbx1' ? sandboxCa : undefined),
    secrets,
    extraOriginCa: [originTrust.certPem],
    maxHeaderBytes: 16 * 1024,
    idleTimeoutMs: 10_000,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  const results: Promise<{ bytesIn: number; bytesOut: number }>[] = [];
  const server = net.createServer((socket) => {
    results.push(
      interceptor.handle(
        socket,
        {
          host: HOST,
          port: 443,
          tenantId: 't1',
          sandboxId: 'sbx1',
          rules: [{ host: HOST, headers: { Authorization: 'Bearer ${secret:gh_token}' } }],
        },
        () =>
          new Promise((resolve, reject) => {
            const upstream = net.connect(originPort, '127.0.0.1', () => resolve(upstream));
            upstream.once('error', reject);
          }),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, results };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  text: string;
}

function request(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer;
    agent?: https.Agent;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        servername: HOST,
        ca: sandboxCa.certPem,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { host: HOST, ...options.headers },
        agent: options.agent ?? false,
      },
      (res) => {
        let bytes = 0;
        const head: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (head.length < 4) head.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            bodyBytes: bytes,
            text: Buffer.concat(head).toString('utf8', 0, 200),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('InjectingInterceptor', () => {
  it("adds the rule's header from the secret, replacing the client's own Authorization", async () => {
    const origin = await startOrigin(originCa);
    const { port } = await startInterceptor(origin.port, originCa);
    const reply = await request(port, { headers: { Authorization: 'Bearer client-own', 'X-Keep': 'me' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-origin']).toBe('yes');
    expect(origin.seen).toHaveLength(1);
    expect(origin.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(origin.seen[0]?.headers['x-keep']).toBe('me');
    expect(origin.seen[0]?.headers.host).toBe(HOST);
  });

  it('streams bodies both ways and keeps one origin connection alive across requests', async () => {
    const origin = await startOrigin(originCa);
    const { port, results } = await startInterceptor(origin.port, originCa);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.alloc(8 * MIB);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    const upload = await request(port, { method: 'POST', path: '/up', body, agent });
    const download = await request(port, { path: `/big?n=${12 * MIB}`, agent });
    agent.destroy();
    expect(upload.status).toBe(200);
    expect(origin.seen[0]?.bodyBytes).toBe(body.length);
    expect(origin.seen[0]?.bodySha).toBe(createHash('sha256').update(body).digest('hex'));
    expect(download.bodyBytes).toBe(12 * MIB);
    expect(origin.seen[1]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(results).toHaveLength(1);
    expect(origin.connections()).toBe(1);
    const moved = await results[0];
    expect(moved?.bytesIn).toBeGreaterThan(12 * MIB);
    expect(moved?.bytesOut).toBeGreaterThan(8 * MIB);
  });

  it('verifies the origin: a certificate from an untrusted CA is refused before any request reaches it', async () => {
    const origin = await startOrigin(strangerCa);
    const { port } = await startInterceptor(origin.port, originCa);
    const reply = await request(port, { headers: { Authorization: 'Bearer client-own' } });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-agentd-error']).toBe('EGRESS_UPSTREAM');
    expect(reply.text).toMatch(/certificate/);
    expect(origin.seen).toHaveLength(0);
  });

  it('refuses plain HTTP to an injection host (HTTPS only)', async () => {
    const origin = await startOrigin(originCa);
    const { port } = await startInterceptor(origin.port, originCa);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: x\r\n\r\n`),
      );
      let got = '';
      socket.on('data', (chunk: Buffer) => (got += chunk.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text).toMatch(/HTTPS only/);
    expect(origin.seen).toHaveLength(0);
  });

  it('speaks only HTTP/1.1 and refuses a TLS server name other than the allowed host', async () => {
    const origin = await startOrigin(originCa);
    const { port } = await startInterceptor(origin.port, originCa);
    const alpn = await new Promise<string | false | null>((resolve, reject) => {
      const socket = tls.connect(
        {
          host: '127.0.0.1',
          port,
          servername: HOST,
          ca: sandboxCa.certPem,
          ALPNProtocols: ['h2', 'http/1.1'],
        },
        () => {
          resolve(socket.alpnProtocol);
          socket.destroy();
        },
      );
      socket.on('error', reject);
    });
    expect(alpn).toBe('http/1.1');
    const mismatch = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'other.example.com',
        ca: sandboxCa.certPem,
        checkServerIdentity: () => undefined,
      });
      socket.on('secureConnect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
      socket.on('data', () => resolve('answered'));
      socket.on('error', () => resolve('closed'));
      socket.on('close', () => resolve('closed'));
    });
    expect(mismatch).toBe('closed');
    expect(origin.seen).toHaveLength(0);
  });

  it('answers 502 without the value when a secret cannot be expanded', async () => {
    const origin = await startOrigin(originCa);
    const { port } = await startInterceptor(origin.port, originCa, {
      expand: () => Promise.reject(new Error('secret gh_token is not set')),
    });
    const reply = await request(port, {});
    expect(reply.status).toBe(502);
    expect(reply.text).toMatch(/gh_token is not set/);
    expect(origin.seen).toHaveLength(0);
  });
});
