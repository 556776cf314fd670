import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundGuard } from './outbound-guard.js';

/** The guarded fetch over TLS: verification on, against the URL's host name (SNI), never the address. */
describe('guarded fetch over TLS', () => {
  let dir = '';
  let cert: Buffer;
  let server: Server;
  let port = 0;
  const sni: (string | undefined)[] = [];
  const lookup = (): Promise<{ address: string; family: number }[]> =>
    Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-tls-'));
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
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
      '/CN=api.test',
      '-addext',
      'subjectAltName=DNS:api.test',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    cert = await readFile(certFile);
    server = createServer({ key: await readFile(keyFile), cert }, (req, res) => {
      res.end(`tls ${req.headers.host ?? ''}`);
    });
    server.on('secureConnection', (socket) => sni.push((socket as { servername?: string }).servername));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const guard = (): OutboundGuard =>
    new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: () => [] });

  it('verifies the certificate against the host name it sends as SNI', async () => {
    const fetch = guard().createFetch([`127.0.0.1:${port}`], { ca: cert });
    try {
      const response = await fetch(`https://api.test:${port}/`);
      expect(await response.text()).toBe(`tls api.test:${port}`);
      expect(sni.at(-1)).toBe('api.test');
    } finally {
      await fetch.close();
    }
  });

  it('refuses a certificate for another name, or one no trusted CA signed', async () => {
    const trusting = guard().createFetch([`127.0.0.1:${port}`], { ca: cert });
    const untrusting = guard().createFetch([`127.0.0.1:${port}`]);
    try {
      await expect(trusting(`https://other.test:${port}/`)).rejects.toThrow();
      await expect(untrusting(`https://api.test:${port}/`)).rejects.toThrow();
    } finally {
      await trusting.close();
      await untrusting.close();
    }
  });
});
