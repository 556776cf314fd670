import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdError } from '../common/errors.js';
import { OutboundGuard } from './outbound-guard.js';
import type { HostLookup, ResolvedAddress } from './outbound-types.js';

function countingLookup(table: Record<string, ResolvedAddress[]>): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const found = table[host];
    return found
      ? Promise.resolve(found)
      : Promise.reject(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
  };
  return Object.assign(lookup, { calls });
}

async function denial(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentdError);
  expect((err as AgentdError).code).toBe('EGRESS_DENIED');
  return (err as AgentdError).details ?? {};
}

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/same') res.writeHead(302, { location: '/final' }).end();
    else if (req.url === '/other') res.writeHead(302, { location: `http://other.test:${port}/final` }).end();
    else res.end(`hello ${req.headers.host ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('OutboundGuard', () => {
  const noOwn = (): string[] => [];

  it('connects to an allowed special address and reports the address it checked', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], hostAddresses: noOwn });
    const conn = await guard.connect({
      host: '127.0.0.1',
      port,
      allowAddresses: [`127.0.0.1/32:${port}`],
      timeoutMs: 5_000,
    });
    expect(conn).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect(conn.socket.remotePort).toBe(port);
    conn.socket.destroy();
  });

  it('refuses a special address no rule covers (wrong port, or no rule)', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], hostAddresses: noOwn });
    const target = { host: '127.0.0.1', port, timeoutMs: 5_000 };
    expect(await denial(guard.connect({ ...target, allowAddresses: [] }))).toMatchObject({
      reason: 'special_address',
      address: '127.0.0.1',
    });
    await denial(guard.connect({ ...target, allowAddresses: [`127.0.0.1:${port + 1}`] }));
    await denial(guard.connect({ ...target, allowAddresses: ['10.0.0.0/8'] }));
    await denial(guard.connect({ ...target, host: '169.254.169.254', port: 80, allowAddresses: [] }));
    await denial(guard.connect({ ...target, host: '[::ffff:127.0.0.1]', allowAddresses: [] }));
  });

  it('refuses protected endpoints even when allowAddresses covers them', async () => {
    const lookup = countingLookup({ 'db.internal': [{ address: '10.9.8.7', family: 4 }] });
    const guard = new OutboundGuard({
      protectedEndpoints: [
        { host: '127.0.0.1', port },
        { host: 'db.internal', port: 5432 },
        { host: '0.0.0.0', port: 8000 },
      ],
      lookup,
      hostAddresses: noOwn,
    });
    const everything = ['0.0.0.0/0', '::/0'];
    const base = { allowAddresses: everything, timeoutMs: 5_000 };
    expect(await denial(guard.connect({ ...base, host: '127.0.0.1', port }))).toMatchObject({
      reason: 'protected_endpoint',
    });
    await denial(guard.connect({ ...base, host: '10.9.8.7', port: 5432 }));
    // A listener's port is protected on every loopback and unspecified address, in either family.
    await denial(guard.connect({ ...base, host: '127.0.0.2', port: 8000 }));
    await denial(guard.connect({ ...base, host: '::1', port: 8000 }));
    await denial(guard.connect({ ...base, host: '0.0.0.0', port: 8000 }));
    await denial(guard.connect({ ...base, host: '::ffff:127.0.0.1', port }));
    // The same address on a port nobody protects is just a special address the rule allows.
    await expect(guard.check({ host: '10.9.8.7', port: 443, allowAddresses: everything })).resolves.toEqual([
      { address: '10.9.8.7', family: 4 },
    ]);
  });

  it("refuses the host's own addresses whatever the rules say", async () => {
    const guard = new OutboundGuard({
      protectedEndpoints: [],
      hostAddresses: () => ['203.0.113.5', 'fe80::1'],
    });
    expect(
      await denial(guard.check({ host: '203.0.113.5', port: 443, allowAddresses: ['0.0.0.0/0'] })),
    ).toMatchObject({
      reason: 'host_address',
    });
  });

  it('refuses a name when any one of its addresses is refused', async () => {
    const lookup = countingLookup({
      'mixed.test': [
        { address: '93.184.215.14', family: 4 },
        { address: '192.168.1.10', family: 4 },
      ],
      'public.test': [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
    });
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: noOwn });
    expect(await denial(guard.check({ host: 'mixed.test', port: 443, allowAddresses: [] }))).toMatchObject({
      reason: 'special_address',
      address: '192.168.1.10',
    });
    await expect(guard.check({ host: 'public.test', port: 443, allowAddresses: [] })).resolves.toHaveLength(
      2,
    );
  });

  it('makes no DNS lookup for IP literals', async () => {
    const lookup = countingLookup({});
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: noOwn });
    await guard.check({ host: '93.184.215.14', port: 443, allowAddresses: [] });
    await guard.check({ host: '[2606:4700:4700::1111]', port: 443, allowAddresses: [] });
    await denial(guard.check({ host: '10.0.0.1', port: 443, allowAddresses: [] }));
    expect(lookup.calls).toEqual([]);
    await denial(guard.check({ host: '127.1', port: 443, allowAddresses: [] }));
    expect(lookup.calls).toEqual([]);
  });

  it('connects to the address it checked, never resolving a second time (no rebinding)', async () => {
    let answers = 0;
    const lookup: HostLookup = () => {
      answers += 1;
      // The first answer is allowed; a second lookup would get the metadata address.
      return Promise.resolve([{ address: answers === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }]);
    };
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: noOwn });
    const conn = await guard.connect({
      host: 'rebind.test',
      port,
      allowAddresses: [`127.0.0.1:${port}`],
      timeoutMs: 5_000,
    });
    expect(conn.address).toBe('127.0.0.1');
    expect(answers).toBe(1);
    conn.socket.destroy();
  });

  it('rejects a bad allowAddresses entry as a validation error', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], hostAddresses: noOwn });
    await expect(
      guard.check({ host: '8.8.8.8', port: 443, allowAddresses: ['10.0.0.0/33'] }),
    ).rejects.toThrow(/invalid allowAddresses/);
  });
});

describe('OutboundGuard.createFetch', () => {
  const lookup = countingLookup({
    'api.test': [{ address: '127.0.0.1', family: 4 }],
    'other.test': [{ address: '127.0.0.1', family: 4 }],
  });

  it('fetches through the guard and follows same-host redirects', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: () => [] });
    const fetch = guard.createFetch([`127.0.0.1:${port}`]);
    try {
      const response = await fetch(`http://api.test:${port}/same`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`hello api.test:${port}`);
    } finally {
      await fetch.close();
    }
  });

  it('refuses a redirect to another host', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: () => [] });
    const fetch = guard.createFetch([`127.0.0.1:${port}`]);
    try {
      expect(await denial(fetch(`http://api.test:${port}/other`))).toMatchObject({ reason: 'redirect' });
    } finally {
      await fetch.close();
    }
  });

  it('refuses a target the rules do not allow', async () => {
    const guard = new OutboundGuard({ protectedEndpoints: [], lookup, hostAddresses: () => [] });
    const fetch = guard.createFetch([]);
    try {
      expect(await denial(fetch(`http://api.test:${port}/`))).toMatchObject({ reason: 'special_address' });
    } finally {
      await fetch.close();
    }
  });
});
