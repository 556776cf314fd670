import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeClient, UpgradeRefused } from './call-home-client.js';

let dir: string;
let server: http.Server;
let socketPath: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runner-ch-'));
  socketPath = path.join(dir, 'agentd.sock');
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    if (req.url === '/v1/open') {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: bytes\r\n\r\nfirst');
      socket.pipe(socket);
      return;
    }
    const body = JSON.stringify({ error: { code: 'EGRESS_DENIED', message: 'host not allowed' } });
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('CallHomeClient.upgrade', () => {
  it('returns the raw channel with the bytes agentd sent after its 101', async () => {
    const client = new CallHomeClient(socketPath, 'test');
    const { socket, head } = await client.upgrade('/v1/open', 'bytes', 5_000);
    const received: Buffer[] = [head];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.write('-echo');
    await expect.poll(() => Buffer.concat(received).toString()).toBe('first-echo');
    socket.destroy();
    client.close();
  });

  it("rejects with agentd's error code when the upgrade is refused", async () => {
    const client = new CallHomeClient(socketPath, 'test');
    const refusal = client.upgrade('/v1/other', 'bytes', 5_000);
    await expect(refusal).rejects.toBeInstanceOf(UpgradeRefused);
    await expect(refusal).rejects.toMatchObject({
      status: 403,
      code: 'EGRESS_DENIED',
      message: 'host not allowed',
    });
    client.close();
  });
});
