import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentdError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { CallHomeServer, acceptUpgrade, assertSocketPathFits } from './call-home-server.js';

let stateDir: string;
let server: CallHomeServer;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-ch-'));
  server = new CallHomeServer({
    stateDir,
    logger: silentLogger(),
    pollTimeoutMs: 300,
    maxJsonBytes: 1024,
    maxConnectionsPerSandbox: 8,
  });
});
afterEach(async () => {
  await server.detachAll();
  await rm(stateDir, { recursive: true, force: true });
});

function call(
  socketPath: string,
  method: string,
  urlPath: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: urlPath, headers: { 'x-agentd-runner': 'test' } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('CallHomeServer', () => {
  it('creates an agentd-owned 0755 directory with a 0666 socket', async () => {
    const channel = await server.open('abcd1234');
    const dirStat = await stat(server.socketDirOf('abcd1234'));
    expect(dirStat.mode & 0o777).toBe(0o755);
    expect((await stat(channel.socketPath)).mode & 0o777).toBe(0o666);
  });

  it('hands a job to a long-polling runner and resolves with its result', async () => {
    const channel = await server.open('abcd1234');
    const poll = call(channel.socketPath, 'GET', '/v1/runner/next');
    await channel.connected;
    expect(channel.runnerVersion).toBe('test');
    const result = channel.send({ kind: 'ping' }, 2_000);
    const job = JSON.parse((await poll).body) as { jobId: string; kind: string };
    expect(job.kind).toBe('ping');
    const posted = await call(
      channel.socketPath,
      'POST',
      `/v1/jobs/${job.jobId}/result`,
      JSON.stringify({
        jobId: job.jobId,
        ok: true,
        data: { protocolVersion: 1, runnerVersion: 'test', pid: 7, uptimeMs: 1 },
      }),
    );
    expect(posted.status).toBe(204);
    await expect(result).resolves.toMatchObject({ jobId: job.jobId, ok: true });
  });

  it('tells whether the runner holds a poll open now: not once it is answered or its connection dies', async () => {
    const channel = await server.open('abcd1234');
    expect(channel.holdsPoll).toBe(false);
    const poll = call(channel.socketPath, 'GET', '/v1/runner/next');
    await channel.connected;
    expect(channel.holdsPoll).toBe(true);
    void channel.send({ kind: 'ping' }, 50).catch(() => undefined);
    await poll;
    expect(channel.holdsPoll).toBe(false);
    // A runner whose process dies: the kernel closes its end, and the held poll goes with it.
    const dying = http.request({ socketPath: channel.socketPath, path: '/v1/runner/next' });
    dying.on('error', () => undefined);
    dying.end();
    await vi.waitFor(() => expect(channel.holdsPoll).toBe(true));
    dying.destroy();
    await vi.waitFor(() => expect(channel.holdsPoll).toBe(false));
  });

  it('answers 204 when no job arrives before the poll timeout', async () => {
    const channel = await server.open('abcd1234');
    expect((await call(channel.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('rejects malformed, oversized and mismatched runner input with 400 and stays up', async () => {
    const channel = await server.open('abcd1234');
    const garbage = await call(channel.socketPath, 'POST', '/v1/jobs/abc/result', '{not json');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toMatchObject({ error: { code: 'RUNNER_PROTOCOL_ERROR' } });
    const big = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'abc', ok: true, data: 'x'.repeat(5000) }),
    );
    expect(big.status).toBe(400);
    const wrongShape = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'abc', ok: 'yes' }),
    );
    expect(wrongShape.status).toBe(400);
    const mismatch = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'xyz', ok: true, data: null }),
    );
    expect(mismatch.status).toBe(400);
    expect((await call(channel.socketPath, 'GET', '/v1/nope')).status).toBe(404);
    expect((await call(channel.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('fails a job the runner never answers, and fails pending jobs when the sandbox goes away', async () => {
    const channel = await server.open('abcd1234');
    await expect(channel.send({ kind: 'ping' }, 50)).rejects.toMatchObject({ code: 'SANDBOX_LOST' });
    const pending = expect(channel.send({ kind: 'ping' }, 5_000)).rejects.toMatchObject({
      code: 'SANDBOX_LOST',
    });
    await server.close('abcd1234');
    await pending;
    await expect(stat(server.socketDirOf('abcd1234'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('re-listens in the same directory after a restart (adoption)', async () => {
    const before = await server.open('abcd1234');
    const dirIno = (await stat(server.socketDirOf('abcd1234'))).ino;
    await server.detachAll();
    const after = await server.open('abcd1234');
    expect((await stat(server.socketDirOf('abcd1234'))).ino).toBe(dirIno);
    expect(after).not.toBe(before);
    expect((await call(after.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('refuses socket paths that do not fit in sun_path', () => {
    expect(() => assertSocketPathFits(`/${'x'.repeat(120)}/agentd.sock`)).toThrow(/longer than 107 bytes/);
  });
});

interface UpgradeAnswer {
  status: number;
  socket?: Duplex;
  head?: Buffer;
  body: string;
}

function upgrade(socketPath: string, urlPath: string): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      path: urlPath,
      headers: { connection: 'Upgrade', upgrade: 'test-bytes', 'x-agentd-runner': 'test' },
      agent: false,
    });
    req.on('upgrade', (res, socket, head) =>
      resolve({ status: res.statusCode ?? 0, socket, head, body: '' }),
    );
    req.on('response', (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CallHomeServer upgrades', () => {
  it('hands an accepted upgrade a raw byte channel both ways', async () => {
    server.upgradeRoute('/v1/echo/:name', ({ socket, params }) => {
      acceptUpgrade(socket, 'test-bytes');
      socket.write(`hello ${params.name}\n`);
      socket.pipe(socket);
      return Promise.resolve();
    });
    const channel = await server.open('abcd1234');
    const answer = await upgrade(channel.socketPath, '/v1/echo/runner');
    expect(answer.status).toBe(101);
    const socket = answer.socket as Duplex;
    const received: Buffer[] = [answer.head ?? Buffer.alloc(0)];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.write('ping\n');
    await vi.waitFor(() => expect(Buffer.concat(received).toString()).toBe('hello runner\nping\n'));
    // The endpoint closes with the upgraded connection still open: closing must end it, not wait for it.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await server.close('abcd1234');
    await closed;
  });

  it('refuses an unknown upgrade path and a handler refusal with the JSON error shape', async () => {
    server.upgradeRoute('/v1/denied', () => {
      throw new AgentdError('FORBIDDEN', 'not for you');
    });
    const channel = await server.open('abcd1234');
    const unknown = await upgrade(channel.socketPath, '/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const denied = await upgrade(channel.socketPath, '/v1/denied');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toEqual({ error: { code: 'FORBIDDEN', message: 'not for you' } });
  });
});
