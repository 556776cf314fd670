import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { webcrypto, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SandboxCa } from './sandbox-ca.js';

const HOUR = 3_600_000;
const NAME_CONSTRAINTS_OID = '2.5.29.30';

async function newCa(hosts = ['api.example.com', '*.files.example.net']): Promise<SandboxCa> {
  return SandboxCa.create({ hosts, label: 'test', caLifetimeMs: 24 * HOUR, leafLifetimeMs: HOUR });
}

/** OpenSSL's verdict on `leafPem` under the CA alone (no system roots). */
async function opensslVerify(caPem: string, leafPem: string): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'agentd-ca-'));
  try {
    await writeFile(path.join(dir, 'ca.pem'), caPem);
    await writeFile(path.join(dir, 'leaf.pem'), leafPem);
    const { stdout, stderr } = await promisify(execFile)('openssl', [
      'verify',
      '-no-CApath',
      '-CAfile',
      path.join(dir, 'ca.pem'),
      path.join(dir, 'leaf.pem'),
    ]).catch((err: unknown) => err as { stdout: string; stderr: string });
    const output = `${stdout}${stderr}`;
    return { ok: /: OK\s*$/.test(stdout), output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A Node TLS handshake to a server on 127.0.0.1 presenting `host`'s leaf, trusting only the CA. */
async function nodeHandshake(ca: SandboxCa, host: string): Promise<string> {
  const leaf = await ca.leafFor(host);
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: host, ca: ca.certPem });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('ok');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? ''}: ${err.message}`));
    });
  } finally {
    server.close();
  }
}

describe('SandboxCa', () => {
  let ca: SandboxCa;
  beforeAll(async () => {
    ca = await newCa();
  });

  it('is a CA whose certificate carries critical name constraints for the injection hosts only', async () => {
    const ext = ca.certificate.getExtension(NAME_CONSTRAINTS_OID);
    expect(ext?.critical).toBe(true);
    const dir = await mkdtemp(path.join(tmpdir(), 'agentd-ca-'));
    try {
      await writeFile(path.join(dir, 'ca.pem'), ca.certPem);
      const { stdout } = await promisify(execFile)('openssl', [
        'x509',
        '-noout',
        '-ext',
        'nameConstraints,basicConstraints',
        '-in',
        path.join(dir, 'ca.pem'),
      ]);
      expect(stdout).toMatch(/Name Constraints: critical/);
      expect(stdout).toMatch(/Permitted:\s+DNS:api\.example\.com\s+DNS:files\.example\.net\s+Excluded:/);
      expect(stdout).toMatch(/IP:0\.0\.0\.0\/0\.0\.0\.0/);
      expect(stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(new X509Certificate(ca.certPem).ca).toBe(true);
  });

  it('issues leaves that verify for permitted names (exact and below a wildcard)', async () => {
    for (const host of ['api.example.com', 'eu.files.example.net']) {
      const leaf = await ca.leafFor(host);
      const verdict = await opensslVerify(ca.certPem, leaf.certPem);
      expect(verdict.output).toMatch(/OK/);
      expect(verdict.ok).toBe(true);
      expect(await nodeHandshake(ca, host)).toBe('ok');
    }
  });

  it('cannot vouch for any other name: OpenSSL and Node refuse a leaf it signed for one', async () => {
    const leaf = await ca.leafFor('evil.example.org');
    const verdict = await opensslVerify(ca.certPem, leaf.certPem);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toMatch(/permitted subtree violation/);
    expect(await nodeHandshake(ca, 'evil.example.org')).toMatch(/permitted subtree violation/);
  });

  it('caches a leaf per host and renews it after half its lifetime', async () => {
    let now = new Date('2026-11-30T00:00:00Z');
    const clocked = await SandboxCa.create({
      hosts: ['api.example.com'],
      label: 'clock',
      caLifetimeMs: 24 * HOUR,
      leafLifetimeMs: HOUR,
      now: () => now,
    });
    const first = await clocked.leafFor('api.example.com');
    expect(await clocked.leafFor('api.example.com')).toBe(first);
    expect(first.notAfter.getTime() - now.getTime()).toBe(HOUR);
    now = new Date(now.getTime() + 0.6 * HOUR);
    const renewed = await clocked.leafFor('api.example.com');
    expect(renewed).not.toBe(first);
    expect(renewed.certPem).not.toBe(first.certPem);
  });

  it('keeps its private key out of reach: the signing key is not extractable', async () => {
    const keys = (ca as unknown as { caKeys: webcrypto.CryptoKeyPair }).caKeys;
    expect(keys.privateKey.extractable).toBe(false);
    await expect(webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).rejects.toThrow();
  });
});
