import { PassThrough, Duplex } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseClientHello } from './client-hello.js';

/** The ClientHello Node's own TLS client sends for `servername` (captured, never sent anywhere). */
async function realClientHello(servername: string | undefined): Promise<Buffer> {
  const wire = new PassThrough();
  const socket = Duplex.from({ readable: new PassThrough(), writable: wire });
  const client = tls.connect({ socket, ...(servername ? { servername } : {}), rejectUnauthorized: false });
  client.on('error', () => {});
  const [chunk] = await new Promise<Buffer[]>((resolve) => wire.once('data', (c: Buffer) => resolve([c])));
  client.destroy();
  return chunk ?? Buffer.alloc(0);
}

describe('parseClientHello', () => {
  it('reads the server name of a real ClientHello, and says when bytes are still missing', async () => {
    const hello = await realClientHello('pkgs.example.com');
    expect(parseClientHello(hello)).toEqual({ kind: 'hello', serverName: 'pkgs.example.com' });
    for (const cut of [1, 5, 40, hello.length - 1])
      expect(parseClientHello(hello.subarray(0, cut))).toEqual({ kind: 'incomplete' });
  });

  it('reports a ClientHello without SNI as such', async () => {
    const hello = await realClientHello(undefined);
    expect(parseClientHello(hello)).toEqual({ kind: 'hello', serverName: undefined });
  });

  it('reads a ClientHello split over two TLS records', async () => {
    const hello = await realClientHello('split.example.com');
    const body = hello.subarray(5);
    const record = (part: Buffer) =>
      Buffer.concat([Buffer.from([0x16, 0x03, 0x01, part.length >> 8, part.length & 0xff]), part]);
    const split = Buffer.concat([record(body.subarray(0, 50)), record(body.subarray(50))]);
    expect(parseClientHello(split)).toEqual({ kind: 'hello', serverName: 'split.example.com' });
  });

  it('refuses what is not TLS, and hostile lengths without reading past the buffer', async () => {
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'not_tls' });
    const hello = await realClientHello('x.example.com');
    // A ClientHello cut short inside its own (consistent) lengths: its fields overrun what is there.
    const body = hello.subarray(9, 9 + 40);
    const lying = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 44, 0x01, 0x00, 0x00, 40]), body]);
    expect(parseClientHello(lying).kind).toBe('malformed');
    expect(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff])).kind).toBe('malformed');
    expect(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0, 0, 0])).kind).toBe(
      'malformed',
    );
    // Random bytes after a handshake header never throw.
    for (let i = 0; i < 500; i++) {
      const junk = Buffer.concat([
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x7c]),
        randomBytes(124),
      ]);
      expect(['malformed', 'hello']).toContain(parseClientHello(junk).kind);
    }
  });
});

function randomBytes(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
}
